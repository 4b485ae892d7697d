using System.Text;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Scenarios;
using static Orchestrator.Bench.Reporting.Goals;

namespace Orchestrator.Bench.Reporting;

// results.md: the goals first, then one table per scenario, then the charts.
public static class MarkdownReport
{
    public static string Render(RunReport r, IReadOnlyList<string> charts)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        md.AppendLine($"# Benchmark results: {r.Run} run").AppendLine();
        md.AppendLine($"Run at {r.StartedAt:yyyy-MM-dd HH:mm} UTC, {F(r.DurationSeconds)} s, commit `{m.GitCommit}`; " +
                      $"reproduce with `bash bench/run.sh{(r.Run == "short" ? " --short" : "")}`.").AppendLine();
        md.AppendLine($"Machine: {m.Cores} cores ({m.CpuModel}), {F(m.MemoryGiB, 1)} GiB, {m.Os}, {m.Dotnet}, {m.RedisVersion.Split(" sha=")[0]}. " +
                      $"Load average (1/5/15 min) before the run: {m.LoadAverageBefore}; after: {m.LoadAverageAfter}.").AppendLine();
        md.AppendLine($"> {m.Note}").AppendLine();
        foreach (var (scenario, error) in r.Failures) md.AppendLine($"> **{scenario} failed:** {error}").AppendLine();
        foreach (var note in r.Notes ?? []) md.AppendLine($"> Merged: {note}.").AppendLine();

        md.AppendLine("## Goals").AppendLine().AppendLine("| Goal | Verdict | Measured |").AppendLine("|---|---|---|");
        foreach (var g in r.Goals) md.AppendLine($"| {g.Goal} | **{g.Verdict}** | {g.Measured} |");
        md.AppendLine();

        if (r.Heartbeats is { } h) Heartbeats(md, h, r.Settings.HeartbeatWarmup.TotalSeconds);
        if (r.Fleet is { } f) Fleet(md, f);
        if (r.FleetOnCluster is { } fc) Fleet(md, fc);
        if (r.Deploy is { } d) Deploy(md, d);
        if (r.Reconnect is { } c) Reconnect(md, c);
        if (r.Redis is { } redis) Redis(md, redis, r.Heartbeats);
        if (charts.Count > 0)
        {
            md.AppendLine("## Charts").AppendLine();
            foreach (var chart in charts) md.AppendLine($"![{Path.GetFileNameWithoutExtension(chart)}]({chart})").AppendLine();
        }
        return md.ToString();
    }

    // The README's "Performance" section: the goals and the machine, linking to the full tables.
    public static string RenderSummary(RunReport r, string outputDirectory, IReadOnlyList<string> charts)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        var directory = outputDirectory.Replace('\\', '/').TrimEnd('/');
        md.AppendLine($"Latest {r.Run} run: {r.StartedAt:yyyy-MM-dd HH:mm} UTC, commit `{m.GitCommit}`, on {m.Cores} cores ({m.CpuModel}) " +
                      $"and {F(m.MemoryGiB, 1)} GiB, {m.Os}; load average {m.LoadAverageBefore} before, {m.LoadAverageAfter} after. " +
                      "The simulator, the manager and Redis share those cores: every figure includes that contention.").AppendLine();
        foreach (var note in r.Notes ?? []) md.AppendLine($"Merged: {note}.").AppendLine();
        md.AppendLine("| Goal | Verdict | Measured |").AppendLine("|---|---|---|");
        foreach (var g in r.Goals.Where(g => g.Verdict != "stated")) md.AppendLine($"| {g.Goal} | **{g.Verdict}** | {g.Measured} |");
        md.AppendLine();
        md.AppendLine($"All tables: [{directory}/results.md]({directory}/results.md); method, profiles and proposed fixes: " +
                      "[docs/benchmarks/README.md](docs/benchmarks/README.md).").AppendLine();
        foreach (var chart in charts.Take(3)) md.AppendLine($"![{Path.GetFileNameWithoutExtension(chart)}]({directory}/{chart})");
        return md.ToString();
    }

    private static void Heartbeats(StringBuilder md, HeartbeatsResult h, double warmup)
    {
        md.AppendLine("## heartbeats").AppendLine();
        md.AppendLine($"{F(h.Clusters)} simulated clusters over {h.Connections} pooled connections. Saturated: {h.SaturationConcurrency} closed-loop workers. " +
                      $"Other rows: open loop at a fixed total rate (each cluster at its own jittered phase), {F(warmup)} s warm-up then {F(h.StepSeconds)} s measured; " +
                      "latency counts from each heartbeat's intended send time, so queueing is not hidden. The ceiling is a bare Kestrel app answering the same JSON without Redis or auth.").AppendLine();
        md.AppendLine("| target | load | offered/s | achieved/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | CPU server | CPU redis | CPU simulator | server CPU µs per heartbeat |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var t in new[] { h.Ceiling, h.Manager, h.ManagerOnCluster }.OfType<TargetResult>())
        {
            Row(md, t.Target, "saturated", t.Saturated);
            foreach (var s in t.Steps) Row(md, t.Target, "open loop", s);
        }
        md.AppendLine();
        md.AppendLine("Manager beside the ceiling at the same offered rate (ratio manager/ceiling):").AppendLine();
        md.AppendLine("| offered/s | achieved/s ceiling | achieved/s manager | ratio | p99 ms ceiling | p99 ms manager | ratio |").AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine($"| saturated | {F(h.Ceiling.Saturated.Heartbeats.AchievedPerSecond)} | {F(h.Manager.Saturated.Heartbeats.AchievedPerSecond)} | " +
                      $"{Ratio(h.Manager.Saturated.Heartbeats.AchievedPerSecond, h.Ceiling.Saturated.Heartbeats.AchievedPerSecond)} | " +
                      $"{F(h.Ceiling.Saturated.Heartbeats.Latency.P99Ms, 1)} | {F(h.Manager.Saturated.Heartbeats.Latency.P99Ms, 1)} | " +
                      $"{Ratio(h.Manager.Saturated.Heartbeats.Latency.P99Ms, h.Ceiling.Saturated.Heartbeats.Latency.P99Ms)} |");
        foreach (var (c, mgr) in h.Ceiling.Steps.Zip(h.Manager.Steps))
            md.AppendLine($"| {F(c.Heartbeats.OfferedPerSecond)} | {F(c.Heartbeats.AchievedPerSecond)} | {F(mgr.Heartbeats.AchievedPerSecond)} | " +
                          $"{Ratio(mgr.Heartbeats.AchievedPerSecond, c.Heartbeats.AchievedPerSecond)} | {F(c.Heartbeats.Latency.P99Ms, 1)} | " +
                          $"{F(mgr.Heartbeats.Latency.P99Ms, 1)} | {Ratio(mgr.Heartbeats.Latency.P99Ms, c.Heartbeats.Latency.P99Ms)} |");
        md.AppendLine();
        if (h.ManagerOnCluster is { } onCluster) ClusterBeside(md, h.Manager, onCluster);
        if (h.Manager.RedisCommands is { } stats)
        {
            md.AppendLine($"Redis commands per heartbeat during the manager's saturated step (`INFO commandstats` over {F(stats.Heartbeats)} heartbeats):").AppendLine();
            md.AppendLine("| command | calls | per heartbeat | µs per call (inside Redis) |").AppendLine("|---|---:|---:|---:|");
            foreach (var c in stats.Commands) md.AppendLine($"| {c.Command} | {F(c.Calls)} | {c.PerHeartbeat} | {c.MicrosPerCall} |");
            md.AppendLine();
        }
        md.AppendLine($"Registration (login + register per cluster): ceiling {F(h.Ceiling.Registration.PerSecond)}/s, manager {F(h.Manager.Registration.PerSecond)}/s. " +
                      $"RSS after the run: ceiling {F(h.Ceiling.RssBytesAfter / 1048576.0)} MiB, manager {F(h.Manager.RssBytesAfter / 1048576.0)} MiB.").AppendLine();
    }

    // --redis-cluster: the manager on one redis-server beside the manager on N masters, at the same offered rates.
    private static void ClusterBeside(StringBuilder md, TargetResult single, TargetResult cluster)
    {
        md.AppendLine($"One redis-server beside a Redis Cluster ({cluster.Target}), same offered rates (ratio cluster/single):").AppendLine();
        md.AppendLine("| offered/s | achieved/s single | achieved/s cluster | ratio | p99 ms single | p99 ms cluster | CPU redis single | CPU redis cluster (all masters) |")
            .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (s, c) in new[] { (single.Saturated, cluster.Saturated) }.Concat(single.Steps.Zip(cluster.Steps)))
            md.AppendLine($"| {(s.Heartbeats.OfferedPerSecond > 0 ? F(s.Heartbeats.OfferedPerSecond) : "saturated")} | {F(s.Heartbeats.AchievedPerSecond)} | " +
                          $"{F(c.Heartbeats.AchievedPerSecond)} | {Ratio(c.Heartbeats.AchievedPerSecond, s.Heartbeats.AchievedPerSecond)} | " +
                          $"{F(s.Heartbeats.Latency.P99Ms, 1)} | {F(c.Heartbeats.Latency.P99Ms, 1)} | {s.Cpu.RedisCores} | {c.Cpu.RedisCores} |");
        md.AppendLine();
        if (cluster.RedisCommands is { } stats)
        {
            md.AppendLine($"Redis commands per heartbeat on the cluster, summed over its masters ({F(stats.Heartbeats)} heartbeats):").AppendLine();
            md.AppendLine("| command | calls | per heartbeat | µs per call (inside Redis) |").AppendLine("|---|---:|---:|---:|");
            foreach (var c in stats.Commands) md.AppendLine($"| {c.Command} | {F(c.Calls)} | {c.PerHeartbeat} | {c.MicrosPerCall} |");
            md.AppendLine();
        }
    }

    private static void Row(StringBuilder md, string target, string load, RateStepResult s)
    {
        var h = s.Heartbeats;
        var l = h.Latency;
        md.AppendLine($"| {target} | {load} | {(h.OfferedPerSecond > 0 ? F(h.OfferedPerSecond) : "-")} | {F(h.AchievedPerSecond)} | {F(l.P50Ms, 2)} | {F(l.P90Ms, 2)} | " +
                      $"{F(l.P99Ms, 2)} | {F(l.P999Ms, 2)} | {F(l.MaxMs, 1)} | {Errors(h.Outcomes, h.SkippedBacklog)} | {s.Cpu.ServerCores} | {s.Cpu.RedisCores} | {s.Cpu.SimulatorCores} | " +
                      $"{(h.AchievedPerSecond > 0 ? F(s.Cpu.ServerCores * 1e6 / h.AchievedPerSecond) : "-")} |");
    }

    private static void Fleet(StringBuilder md, FleetResult f)
    {
        md.AppendLine(f.Redis is { } engine && engine != "one redis-server" ? $"## fleet on a {engine}" : "## fleet").AppendLine();
        md.AppendLine($"Clusters registered step by step; all of them heartbeat every {F(f.HeartbeatIntervalSeconds)} s (HEARTBEAT_INTERVAL) at jittered phases. " +
                      "Each step runs one full interval at its size, then measures memory and an operator's reads, one at a time, under that heartbeat load.").AppendLine();
        md.AppendLine("| clusters | registered/s | heartbeats/s (offered) | heartbeat p99 ms | heartbeat errors | manager RSS MiB | Redis used MiB | GET /status p50 / p99 ms | GET /containers p50 / p99 ms | /containers body | read errors (status / containers) | healthy | CPU manager | CPU redis | CPU simulator |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in f.Steps)
            md.AppendLine($"| {(s.Clusters < s.Target ? $"{F(s.Clusters)} of {F(s.Target)}" : F(s.Clusters))} | {F(s.Registration.PerSecond)} | {F(s.Heartbeats.AchievedPerSecond)} ({F(s.Heartbeats.OfferedPerSecond)}) | {F(s.Heartbeats.Latency.P99Ms, 1)} | " +
                          $"{Errors(s.Heartbeats.Outcomes, s.Heartbeats.SkippedBacklog)} | " +
                          $"{F(s.ManagerRssMiB)} | {F(s.RedisUsedMiB, 1)} | {F(s.Status.Latency.P50Ms, 1)} / {F(s.Status.Latency.P99Ms, 1)} | " +
                          $"{F(s.Containers.Latency.P50Ms, 1)} / {F(s.Containers.Latency.P99Ms, 1)} | {F(s.Containers.ResponseBytes / 1048576.0, 2)} MiB | " +
                          $"{Errors(s.Status.Outcomes, 0)} / {Errors(s.Containers.Outcomes, 0)} | " +
                          $"{(s.Healthy is { } h ? F(h) : "?")} | {s.Cpu.ServerCores} | {s.Cpu.RedisCores} | {s.Cpu.SimulatorCores} |");
        md.AppendLine();
        var errors = f.Steps.Sum(s => s.Heartbeats.Outcomes.Errors + s.Registration.Outcomes.Errors + s.Status.Outcomes.Errors + s.Containers.Outcomes.Errors);
        md.AppendLine($"Errors across the scenario (registration, heartbeats, reads): {F(errors)}. GET samples per step: up to the configured count within a time budget.").AppendLine();
    }

    private static void Deploy(StringBuilder md, DeployResult d)
    {
        md.AppendLine("## deploy").AppendLine();
        if (!d.Measured)
        {
            md.AppendLine($"Unmeasured: {d.Reason}. The scenario is built against docs/protocol.md and runs as soon as the manager serves it.").AppendLine();
            return;
        }
        md.AppendLine($"{F(d.Registration.Clusters)} clusters heartbeating and holding their assignment long-polls; {F(d.Deploys)} deploys with {d.Concurrency} in flight (the phase stops at the configured count or time budget). " +
                      "Deploy-to-running: from the deploy call's start to the manager accepting the cluster's `running` report (the simulated agent starts at once).").AppendLine();
        md.AppendLine("| placements/s | deploy call p50 / p99 ms | deploy-to-running p50 / p99 / max ms | never running | deploy errors | long-poll errors | report errors | CPU manager | CPU redis | CPU simulator |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine($"| {F(d.PlacementsPerSecond)} | {F(d.Scheduling.P50Ms, 1)} / {F(d.Scheduling.P99Ms, 1)} | {F(d.DeployToRunning.P50Ms, 1)} / {F(d.DeployToRunning.P99Ms, 1)} / {F(d.DeployToRunning.MaxMs, 1)} | " +
                      $"{d.NeverRunning} | {Errors(d.Outcomes, 0)} | {Errors(d.LongPolls, 0)} | {Errors(d.Reports, 0)} | {d.Cpu?.ServerCores} | {d.Cpu?.RedisCores} | {d.Cpu?.SimulatorCores} |");
        md.AppendLine();
        if (d.Reads is { } reads)
        {
            md.AppendLine($"Agent reads: the fleet topped up to {F(reads.Agents)} agents by deploys of up to 100 replicas ({F(reads.FillSeconds, 1)} s, errors {Errors(reads.FillOutcomes, 0)}), " +
                          "then an operator's reads, one after another, while the fleet heartbeats.").AppendLine();
            md.AppendLine("| read | first call ms | p50 ms | p99 ms | max ms | response | errors |").AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var read in new[] { reads.List, reads.Distribution })
                md.AppendLine($"| GET {read.Path} | {F(read.FirstMs, 1)} | {F(read.Latency.P50Ms, 1)} | {F(read.Latency.P99Ms, 1)} | {F(read.Latency.MaxMs, 1)} | {F(read.ResponseBytes / 1024.0, 1)} KiB | {Errors(read.Outcomes, 0)} |");
            md.AppendLine().AppendLine("The first call of each read is timed apart (it compiles the endpoint's code) and kept out of the percentiles.");
            md.AppendLine();
        }
    }

    private static void Reconnect(StringBuilder md, ReconnectResult c)
    {
        md.AppendLine("## reconnect").AppendLine();
        md.AppendLine($"{F(c.Clusters)} clusters heartbeating every {F(c.HeartbeatIntervalSeconds)} s{(c.LongPolls ? ", each holding its assignment long-poll" : "")}; " +
                      "the manager gets SIGTERM, exits, and starts again on the same port and Redis. A cluster is back at its first heartbeat answered 200 by the new process; " +
                      "failed heartbeats retry as Orchestrator.Agent does (1 s doubling, capped at the interval, jittered 0.8-1.0).").AppendLine();
        md.AppendLine("| clusters | stop took s | down s (stop to healthy) | back | all back after stop s | after healthy s | back p50 / p99 s | 5xx | refused/reset/timeout | re-registrations |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        md.AppendLine($"| {F(c.Clusters)} | {F(c.StopSeconds, 2)} | {F(c.DowntimeSeconds, 2)} | {F(c.ClustersBack)} | {Secs(c.AllBackFromStopSeconds)} | {Secs(c.AllBackFromReadySeconds)} | " +
                      $"{F(c.BackAfterStop.P50Ms / 1000, 2)} / {F(c.BackAfterStop.P99Ms / 1000, 2)} | {c.Status5xx} | {c.ConnectionErrors} | {c.Reregistrations.Ok} |");
        md.AppendLine();
        if (c.LongPolls) md.AppendLine($"Long-polls during the restart: {c.LongPollsDuringRestart.Ok} answered, {c.LongPollsDuringRestart.Errors} failed ({Errors(c.LongPollsDuringRestart, 0)}).").AppendLine();
    }

    private static void Redis(StringBuilder md, RedisCostResult redis, HeartbeatsResult? heartbeats)
    {
        md.AppendLine("## redis-benchmark").AppendLine();
        md.AppendLine($"`redis-benchmark -c 50` on a fresh redis-server with the manager's settings, for the Redis work of one heartbeat (script: {redis.ScriptSource}).").AppendLine();
        md.AppendLine("| command | pipeline | requests/s | p50 ms | p99 ms |").AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in redis.Rows) md.AppendLine($"| {row.Name} | {row.Pipeline} | {F(row.RequestsPerSecond)} | {row.P50Ms} | {row.P99Ms} |");
        md.AppendLine();
        if (redis.Rows.FirstOrDefault(r => r.Pipeline == 1 && r.Name.StartsWith("heartbeat", StringComparison.Ordinal)) is { } script && heartbeats is not null)
            md.AppendLine($"One heartbeat is one EVALSHA: Redis alone runs {F(script.RequestsPerSecond)} of them a second unpipelined on this machine, " +
                          $"{Ratio(script.RequestsPerSecond, heartbeats.Manager.Saturated.Heartbeats.AchievedPerSecond)} the manager's saturated heartbeat rate.").AppendLine();
    }

    private static string Errors(OutcomeSummary o, long skipped)
    {
        if (o.Errors == 0 && skipped == 0) return "0";
        var parts = new List<string>();
        foreach (var (code, count) in o.ErrorsByStatus) parts.Add($"{count}×{code}");
        if (o.Refused > 0) parts.Add($"{o.Refused} refused");
        if (o.Transport > 0) parts.Add($"{o.Transport} reset");
        if (o.Timeout > 0) parts.Add($"{o.Timeout} timeout");
        if (skipped > 0) parts.Add($"{skipped} not sent (backlog)");
        return string.Join(", ", parts);
    }

    private static string Ratio(double a, double b) => b == 0 ? "-" : (a / b).ToString("0.00x", System.Globalization.CultureInfo.InvariantCulture);
    private static string Secs(double seconds) => seconds < 0 ? "not all" : F(seconds, 2);
}
