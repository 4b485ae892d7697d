using System.Globalization;
using System.Reflection;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Bench.Scenarios;

// redis: redis-benchmark on a fresh redis-server (same settings as the manager's) for the Redis work
// one heartbeat does: the manager's heartbeat Lua script as EVALSHA (read from the built manager, so
// it is the script that ran), and the commands inside it one by one.
public sealed class RedisCostScenario(BenchContext context)
{
    private const string Usage = """{"cpu_count":2,"cpu_percent":12.5,"memory_used":123456789,"memory_limit":2147483648,"process_count":3}""";

    public async Task<RedisCostResult> RunAsync(CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        await using var redis = await context.StartRedisAsync();
        var script = HeartbeatScript(out var scriptSource);
        // The manager's own key names (RedisKeys is the one place that names them); plain names when its build is unreadable.
        var (key, index, totals) = script is { } s ? (s.Container, s.Index, s.Totals) : ("bench:container", "bench:by-heartbeat", "bench:totals");
        await redis.CliAsync("HSET", key, "id", "ctr-bench", "name", "bench-cluster", "status", "healthy", "last_heartbeat", "0",
            "max_agents", "10", "active_agents", "2");
        var rows = new List<RedisBenchmarkRow>();
        if (script is not null)
        {
            var sha = (await redis.CliAsync("SCRIPT", "LOAD", script.Value.Source)).Trim();
            // The arguments ContainerStore.HeartbeatAsync passes for a protocol.md heartbeat from a cluster token,
            // by name; LuaScript sends the RedisKey ones as KEYS too, in the order they appear.
            var named = new Dictionary<string, string>
            {
                ["Container"] = key, ["Index"] = index, ["Totals"] = totals, ["Id"] = "ctr-bench", ["Now"] = "1764216000000",
                ["HealthScore"] = "87.5", ["ActiveAgents"] = "2", ["Usage"] = Usage, ["Agents"] = "", ["RequiredName"] = "bench-cluster",
                ["RoundTripMs"] = "", ["Failures"] = "-1",
            };
            string[] keyNames = ["Container", "Index", "Totals"];
            var missing = script.Value.Arguments.Where(a => !named.ContainsKey(a)).ToList();
            if (missing.Count > 0)
                throw new InvalidOperationException($"the manager's heartbeat script takes {string.Join(", ", missing)}, which the bench does not pass; update RedisCostScenario");
            var keys = script.Value.Arguments.Where(keyNames.Contains).Select(a => named[a]).ToArray();
            string[] evalsha = ["EVALSHA", sha, keys.Length.ToString(CultureInfo.InvariantCulture), .. keys, .. script.Value.Arguments.Select(a => named[a])];
            // redis-benchmark counts error replies as served, so the script's answer is checked once first.
            var answer = (await redis.CliAsync(evalsha)).Trim();
            if (answer != "healthy")
                throw new InvalidOperationException($"the manager's heartbeat script answered '{answer}' to the arguments the bench passes; update RedisCostScenario");
            rows.Add(await RunAsync(redis, "heartbeat script (EVALSHA), 50 clients", evalsha, pipeline: 1, settings.RedisRequests));
            rows.Add(await RunAsync(redis, "heartbeat script (EVALSHA), 50 clients, pipelined x16", evalsha, pipeline: 16, settings.RedisRequests));
        }
        rows.Add(await RunAsync(redis, "EXISTS container", ["EXISTS", key], 1, settings.RedisRequests));
        rows.Add(await RunAsync(redis, "HGET container name", ["HGET", key, "name"], 1, settings.RedisRequests));
        rows.Add(await RunAsync(redis, "HSET container (5 fields)", ["HSET", key, "last_heartbeat", "1764216000000", "health_score", "87.5",
            "active_agents", "2", "usage", Usage, "status", "healthy"], 1, settings.RedisRequests));
        rows.Add(await RunAsync(redis, "ZADD heartbeat index", ["ZADD", index, "1764216000000", "ctr-bench"], 1, settings.RedisRequests));
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

    // The manager's own heartbeat script, read from its built assembly (an internal LuaScript field): the
    // script as sent to Redis (named parameters replaced by ARGV[i]) and the parameter names in ARGV order.
    // Its key names come from RedisKeys the same way.
    private (string Source, string[] Arguments, string Container, string Index, string Totals)? HeartbeatScript(out string source)
    {
        const string type = "Orchestrator.Manager.Containers.ContainerScripts";
        const BindingFlags statics = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        try
        {
            var assembly = Assembly.LoadFrom(Path.GetFullPath(context.Settings.ManagerDll));
            var script = assembly.GetType(type)?.GetField("Heartbeat", statics)?.GetValue(null);
            var executable = script?.GetType().GetProperty("ExecutableScript")?.GetValue(script) as string;
            // Arguments is internal to StackExchange.Redis: the @names in the order they are sent.
            var arguments = script?.GetType().GetProperty("Arguments", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(script) as string[];
            var keys = assembly.GetType("Orchestrator.Manager.Redis.RedisKeys");
            var container = keys?.GetMethod("Container", statics)?.Invoke(null, ["ctr-bench"])?.ToString();
            var index = keys?.GetField("HeartbeatIndex", statics)?.GetValue(null)?.ToString();
            var totals = keys?.GetField("ContainerTotals", statics)?.GetValue(null)?.ToString();
            if (executable is null || arguments is null || container is null || index is null || totals is null)
            {
                source = $"{type}.Heartbeat or the RedisKeys it uses not found in the manager build";
                return null;
            }
            source = $"{type}.Heartbeat";
            return (executable, arguments, container, index, totals);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or TypeLoadException or TargetInvocationException)
        {
            source = $"could not read the manager's script: {e.Message}";
            return null;
        }
    }
}

public sealed record RedisBenchmarkRow(string Name, int Pipeline, double RequestsPerSecond, double P50Ms, double P99Ms);

public sealed record RedisCostResult(string ScriptSource, IReadOnlyList<RedisBenchmarkRow> Rows);
