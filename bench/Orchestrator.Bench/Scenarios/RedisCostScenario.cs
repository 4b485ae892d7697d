using System.Globalization;
using System.Reflection;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Bench.Scenarios;

// redis: redis-benchmark on a fresh redis-server (same settings as the manager's) for the Redis work
// one heartbeat does: the manager's heartbeat Lua script as EVALSHA (read from the built manager, so
// it is the script that ran), and the commands inside it one by one.
public sealed class RedisCostScenario(BenchContext context)
{
    private const string Key = "orchestrator:container:ctr-bench";
    private const string Index = "orchestrator:containers:by-heartbeat";
    private const string Totals = "orchestrator:containers:totals";
    private const string Usage = """{"cpu_count":2,"cpu_percent":12.5,"memory_used":123456789,"memory_limit":2147483648,"process_count":3}""";

    public async Task<RedisCostResult> RunAsync(CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        await using var redis = await context.StartRedisAsync();
        await redis.CliAsync("HSET", Key, "id", "ctr-bench", "name", "bench-cluster", "status", "healthy", "last_heartbeat", "0",
            "max_agents", "10", "active_agents", "2");
        var rows = new List<RedisBenchmarkRow>();
        var script = HeartbeatScript(out var scriptSource);
        if (script is not null)
        {
            var sha = (await redis.CliAsync("SCRIPT", "LOAD", script)).Trim();
            // The arguments ContainerStore.HeartbeatAsync passes for a protocol.md heartbeat from a cluster token.
            string[] evalsha = ["EVALSHA", sha, "3", Key, Index, Totals, "ctr-bench", "1764216000000", "87.5", "2", Usage, "", "bench-cluster", "", "-1"];
            // redis-benchmark counts error replies as served, so the script's answer is checked once first.
            var answer = (await redis.CliAsync(evalsha)).Trim();
            if (answer != "healthy")
                throw new InvalidOperationException($"the manager's heartbeat script answered '{answer}' to the arguments the bench passes; update RedisCostScenario");
            rows.Add(await RunAsync(redis, "heartbeat script (EVALSHA), 50 clients", evalsha, pipeline: 1, settings.RedisRequests));
            rows.Add(await RunAsync(redis, "heartbeat script (EVALSHA), 50 clients, pipelined x16", evalsha, pipeline: 16, settings.RedisRequests));
        }
        rows.Add(await RunAsync(redis, "EXISTS container", ["EXISTS", Key], 1, settings.RedisRequests));
        rows.Add(await RunAsync(redis, "HGET container name", ["HGET", Key, "name"], 1, settings.RedisRequests));
        rows.Add(await RunAsync(redis, "HSET container (5 fields)", ["HSET", Key, "last_heartbeat", "1764216000000", "health_score", "87.5",
            "active_agents", "2", "usage", Usage, "status", "healthy"], 1, settings.RedisRequests));
        rows.Add(await RunAsync(redis, "ZADD heartbeat index", ["ZADD", Index, "1764216000000", "ctr-bench"], 1, settings.RedisRequests));
        foreach (var row in rows) context.Log($"redis: {row.Name}: {row.RequestsPerSecond:0}/s p50 {row.P50Ms} p99 {row.P99Ms} ms");
        return new RedisCostResult(scriptSource, rows);
    }

    private async Task<RedisBenchmarkRow> RunAsync(RedisHost redis, string name, string[] command, int pipeline, int requests)
    {
        var output = await ChildProcess.OutputOfAsync("redis-benchmark",
            ["-p", redis.Port.ToString(), "-n", requests.ToString(), "-c", "50", "-P", pipeline.ToString(), "--csv", .. command],
            TimeSpan.FromMinutes(5));
        var row = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Split("\",\"");
        double Field(int i) => double.Parse(row[i].Trim('"'), CultureInfo.InvariantCulture);
        return new RedisBenchmarkRow(name, pipeline, Field(1), Field(4), Field(6));
    }

    // The manager's own heartbeat script, read from its built assembly (an internal constant).
    private string? HeartbeatScript(out string source)
    {
        const string type = "Orchestrator.Manager.Redis.ContainerScripts";
        try
        {
            var assembly = Assembly.LoadFrom(Path.GetFullPath(context.Settings.ManagerDll));
            var script = assembly.GetType(type)?.GetField("Heartbeat", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue() as string;
            source = script is null ? $"{type}.Heartbeat not found in the manager build" : $"{type}.Heartbeat";
            return script;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or TypeLoadException)
        {
            source = $"could not read the manager's script: {e.Message}";
            return null;
        }
    }
}

public sealed record RedisBenchmarkRow(string Name, int Pipeline, double RequestsPerSecond, double P50Ms, double P99Ms);

public sealed record RedisCostResult(string ScriptSource, IReadOnlyList<RedisBenchmarkRow> Rows);
