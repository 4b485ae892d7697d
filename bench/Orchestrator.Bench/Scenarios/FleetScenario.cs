using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Bench.Hosting;
using Orchestrator.Testing.Hosting;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;
using Orchestrator.Bench.Simulation;
using Orchestrator.Protocol;

namespace Orchestrator.Bench.Scenarios;

// fleet: registered clusters ramped up step by step, every one heartbeating at the manager's
// interval. After each step has run a full interval at its size: the manager's RSS, Redis memory,
// and an operator's GET /status and GET /containers latency under that heartbeat load.
public sealed class FleetScenario(BenchContext context)
{
    public const string StatusPath = ManagerRoutes.Status;
    public const string ContainersPath = ManagerRoutes.Containers;

    // clusterMasters 0: one redis-server; N: a Redis Cluster of N masters (--redis-cluster).
    public async Task<FleetResult> RunAsync(CancellationToken cancellationToken, int clusterMasters = 0)
    {
        var settings = context.Settings;
        var interval = settings.FleetInterval;
        await using var redis = await context.StartRedisEngineAsync(clusterMasters);
        context.Log($"fleet: on {redis.Label}");
        await using var manager = await context.StartManagerAsync(redis, interval);
        using var http = context.Http(manager.Url!);
        var client = context.Client(http);
        var admin = await client.LoginAsync(null, cancellationToken);
        var clusters = new List<SimCluster>();
        var steps = new List<FleetStep>();
        var epoch = Stopwatch.GetTimestamp();
        (HeartbeatPacer Pacer, CancellationTokenSource Stop, Task Running)? beating = null;
        try
        {
            foreach (var target in settings.FleetSteps)
            {
                manager.ThrowIfExited();
                var joining = Enumerable.Range(clusters.Count, target - clusters.Count)
                    .Select(i => new SimCluster(i, context.RunId, 10, settings.Seed)).ToList();
                var registration = await FleetRegistrar.RegisterAsync(client, joining, settings.RegisterConcurrency, cancellationToken,
                    settings.Short ? TimeSpan.FromSeconds(30) : TimeSpan.FromMinutes(3));
                clusters.AddRange(joining.Where(c => c.ContainerId is not null));
                context.Log($"fleet: {clusters.Count} of {target} registered ({registration.PerSecond}/s, errors {registration.Outcomes.Errors}" +
                            $"{(registration.StoppedByBudget ? ", stopped by the registration time budget" : "")})");

                var pacer = new HeartbeatPacer(client, clusters, interval, maxInFlight: 20_000, retry: true, epoch);
                var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var running = pacer.RunAsync(stop.Token);
                if (clusters.Count < target) context.Log($"fleet: the manager took {clusters.Count} of {target} clusters");
                if (beating is { } previous) { await previous.Stop.CancelAsync(); await previous.Running; previous.Stop.Dispose(); }
                beating = (pacer, stop, running);

                manager.ThrowIfExited();
                var cpu = new CpuMeter(manager.Pid, redis.Pids);
                var window = pacer.OpenWindow();
                await Task.Delay(interval, cancellationToken);
                var heartbeats = await window.CloseAsync(pacer.RatePerSecond, settings.CallTimeout);
                var share = cpu.Stop();

                var step = await MeasureAsync(client, admin, manager, redis, target, clusters.Count, registration, heartbeats, share, cancellationToken);
                steps.Add(step);
                context.Log($"fleet: {step.Clusters} clusters: manager RSS {step.ManagerRssMiB} MiB, redis {step.RedisUsedMiB} MiB, " +
                            $"heartbeats {heartbeats.AchievedPerSecond}/s p99 {heartbeats.Latency.P99Ms} ms, " +
                            $"GET /status p99 {step.Status.Latency.P99Ms} ms, GET /containers p99 {step.Containers.Latency.P99Ms} ms " +
                            $"({step.Containers.ResponseBytes / 1024} KiB), healthy {step.Healthy}");
            }
        }
        finally
        {
            if (beating is { } last) { await last.Stop.CancelAsync(); await last.Running; last.Stop.Dispose(); }
        }
        return new FleetResult(interval.TotalSeconds, steps, redis.Label);
    }

    private async Task<FleetStep> MeasureAsync(ProtocolClient client, System.Net.Http.Headers.AuthenticationHeaderValue admin,
        ChildProcess manager, BenchRedis redis, int target, int clusters, RegistrationResult registration, HeartbeatWindowResult heartbeats,
        CpuShare cpu, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var rss = ProcStats.RssBytes(manager.Pid);
        var used = await redis.SumAsync("memory", "used_memory");
        var usedRss = await redis.SumAsync("memory", "used_memory_rss");
        var budget = settings.Short ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(10);
        var status = await ReadSampler.SampleAsync(client, admin, StatusPath, settings.ReadSamples, budget, cancellationToken);
        var containers = await ReadSampler.SampleAsync(client, admin, ContainersPath, settings.ReadSamples, budget, cancellationToken);
        var healthy = await HealthyCountAsync(client, admin, cancellationToken);
        return new FleetStep(target, clusters, registration, heartbeats, cpu, Math.Round(rss / 1048576.0, 1),
            Math.Round(used / 1048576.0, 1), Math.Round(usedRss / 1048576.0, 1),
            status, containers, healthy);
    }

    // containers_by_status.healthy from GET /status: whether the manager sees the whole fleet alive.
    private static async Task<long?> HealthyCountAsync(ProtocolClient client, System.Net.Http.Headers.AuthenticationHeaderValue admin,
        CancellationToken cancellationToken)
    {
        try
        {
            var status = await client.GetStatusAsync(admin, cancellationToken);
            return status?.ContainersByStatus.TryGetValue(ContainerStatus.Healthy, out var healthy) == true ? healthy : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }
}

// Target: the clusters this step asked to register; Clusters: how many the manager took.
public sealed record FleetStep(int Target, int Clusters, RegistrationResult Registration, HeartbeatWindowResult Heartbeats, CpuShare Cpu,
    double ManagerRssMiB, double RedisUsedMiB, double RedisRssMiB, ReadResult Status, ReadResult Containers, long? Healthy);

// Redis: which engine the manager ran on ("one redis-server", "3-master Redis Cluster").
public sealed record FleetResult(double HeartbeatIntervalSeconds, IReadOnlyList<FleetStep> Steps, string? Redis = null);
