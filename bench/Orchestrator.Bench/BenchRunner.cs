using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Bench.Options;
using Orchestrator.Bench.Reporting;
using Orchestrator.Bench.Scenarios;

namespace Orchestrator.Bench;

// Runs the chosen scenarios one after another (each starts and stops its own processes), then writes
// results.json, results.md and the charts. A scenario that fails is reported and the rest still run.
public static class BenchRunner
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("orchestrator-bench-").FullName;
        var context = new BenchContext(settings, work);
        var machine = await MachineInfo.ReadAsync();
        context.Log($"{(settings.Short ? "short" : "full")} run on {machine.Cores} cores, load average {machine.LoadAverageBefore}; logs in {work}");

        var failures = new Dictionary<string, string>();
        async Task<T?> Run<T>(string name, Func<Task<T>> scenario) where T : class
        {
            if (!settings.Scenarios.Contains(name)) return null;
            try
            {
                return await scenario();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                context.Log($"{name} failed: {e.Message}");
                failures[name] = e.Message.Split('\n')[0];
                return null;
            }
        }

        var redis = await Run("redis", () => new RedisCostScenario(context).RunAsync(cancellationToken));
        var heartbeats = await Run("heartbeats", () => new HeartbeatsScenario(context).RunAsync(cancellationToken));
        var fleet = await Run("fleet", () => new FleetScenario(context).RunAsync(cancellationToken));
        var fleetOnCluster = settings.RedisClusterMasters > 0
            ? await Run("fleet", () => new FleetScenario(context).RunAsync(cancellationToken, settings.RedisClusterMasters))
            : null;
        var deploy = await Run("deploy", () => new DeployScenario(context).RunAsync(cancellationToken));
        var reconnect = await Run("reconnect", () => new ReconnectScenario(context).RunAsync(cancellationToken));

        var output = Directory.CreateDirectory(settings.OutputDirectory).FullName;
        var notes = new List<string>();
        if (settings.Merge && await ReadPreviousAsync(output) is { } previous)
        {
            // Scenarios this run skipped keep their figures from the earlier run, which the notes name.
            T? Keep<T>(string name, T? now, T? before) where T : class
            {
                if (settings.Scenarios.Contains(name) || before is null) return now;
                // A scenario the earlier run had itself merged keeps the note naming its own run.
                if (previous.Notes?.FirstOrDefault(n => n.StartsWith(name + ":", StringComparison.Ordinal)) is { } earlier)
                {
                    notes.Add(earlier);
                    return before;
                }
                notes.Add($"{name}: from the run of {previous.StartedAt:yyyy-MM-dd HH:mm} UTC (commit {previous.Machine.GitCommit}, " +
                          $"load average {previous.Machine.LoadAverageBefore} before, {previous.Machine.LoadAverageAfter} after)");
                return before;
            }
            redis = Keep("redis", redis, previous.Redis);
            heartbeats = Keep("heartbeats", heartbeats, previous.Heartbeats);
            fleet = Keep("fleet", fleet, previous.Fleet);
            deploy = Keep("deploy", deploy, previous.Deploy);
            reconnect = Keep("reconnect", reconnect, previous.Reconnect);
        }
        var report = new RunReport(settings.Short ? "short" : "full", started, Math.Round(clock.Elapsed.TotalSeconds, 1),
            machine with { LoadAverageAfter = MachineInfo.LoadAverage() }, settings, heartbeats, fleet, deploy, reconnect, redis, failures,
            Goals.Judge(heartbeats, fleet, deploy, reconnect), notes.Distinct().ToList(), fleetOnCluster);
        var charts = Charts.Draw(report, output);
        await File.WriteAllTextAsync(Path.Combine(output, "results.json"), JsonSerializer.Serialize(report, Json), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(output, "results.md"), MarkdownReport.Render(report, charts), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(output, "summary.md"),
            MarkdownReport.RenderSummary(report, settings.OutputDirectory, charts), cancellationToken);

        Console.WriteLine();
        foreach (var goal in report.Goals) Console.WriteLine($"{goal.Verdict,-17} {goal.Goal}\n{"",-17} {goal.Measured}");
        Console.WriteLine($"\nWrote {Path.Combine(settings.OutputDirectory, "results.md")}, results.json and {charts.Count} charts in {clock.Elapsed.TotalSeconds:0} s.");
        try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task<RunReport?> ReadPreviousAsync(string output)
    {
        var path = Path.Combine(output, "results.json");
        if (!File.Exists(path)) return null;
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<RunReport>(stream, Json);
    }
}
