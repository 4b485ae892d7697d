using Orchestrator.Bench.Hosting;
using Orchestrator.Testing.Hosting;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Simulation;

namespace Orchestrator.Bench.Scenarios;

// heartbeats: the ceiling first (saturated, then swept at fractions of its saturated rate), then the
// manager with Redis at the same absolute rates. Each target runs alone on the machine.
public sealed class HeartbeatsScenario(BenchContext context)
{
    public async Task<HeartbeatsResult> RunAsync(CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        context.Log($"heartbeats: ceiling, {settings.HeartbeatClusters} clusters");
        TargetResult ceiling;
        await using (var server = await context.StartCeilingAsync())
            ceiling = await MeasureAsync("ceiling", server, null, rates: null, cancellationToken);

        var rates = settings.LoadFractions.Select(f => Math.Round(f * ceiling.Saturated.Heartbeats.AchievedPerSecond)).ToList();
        context.Log($"heartbeats: manager, same rates {string.Join(", ", rates)}/s");
        var managerResult = await MeasureManagerAsync("manager", 0, rates, cancellationToken);
        // --redis-cluster N: the same rates again with the manager on N masters, reported beside one redis-server.
        var onCluster = settings.RedisClusterMasters > 0
            ? await MeasureManagerAsync($"manager, {settings.RedisClusterMasters} masters", settings.RedisClusterMasters, rates, cancellationToken)
            : null;
        return new HeartbeatsResult(settings.HeartbeatClusters, settings.SaturationConcurrency, settings.Connections,
            settings.HeartbeatDuration.TotalSeconds, ceiling, managerResult, onCluster);
    }

    private async Task<TargetResult> MeasureManagerAsync(string name, int clusterMasters, IReadOnlyList<double> rates, CancellationToken cancellationToken)
    {
        await using var redis = await context.StartRedisEngineAsync(clusterMasters);
        await using var manager = await context.StartManagerAsync(redis, TimeSpan.FromSeconds(30));
        return await MeasureAsync(name, manager, redis, rates, cancellationToken);
    }

    private async Task<TargetResult> MeasureAsync(string name, ChildProcess server, BenchRedis? redis, IReadOnlyList<double>? rates,
        CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        using var http = context.Http(server.Url!);
        var client = context.Client(http);
        var clusters = Enumerable.Range(0, settings.HeartbeatClusters).Select(i => new SimCluster(i, context.RunId, 10, settings.Seed)).ToList();
        var registration = await FleetRegistrar.RegisterAsync(client, clusters, settings.RegisterConcurrency, cancellationToken);
        clusters.RemoveAll(c => c.ContainerId is null);
        context.Log($"  {name}: registered {clusters.Count} in {registration.Seconds} s ({registration.PerSecond}/s)");

        CpuMeter? cpu = null;
        var (saturated, answered) = await ClosedLoop.SaturateAsync(client, clusters, settings.SaturationConcurrency,
            settings.SaturationWarmup, settings.HeartbeatDuration,
            async () =>
            {
                if (redis is not null) await redis.ResetStatsAsync();
                cpu = new CpuMeter(server.Pid, redis?.Pids);
            }, cancellationToken);
        var saturatedCpu = cpu!.Stop();
        context.Log($"  {name}: saturated {saturated.AchievedPerSecond}/s p99 {saturated.Latency.P99Ms} ms, errors {saturated.Outcomes.Errors}, cpu server {saturatedCpu.ServerCores} redis {saturatedCpu.RedisCores} sim {saturatedCpu.SimulatorCores}");
        var commandStats = redis is null ? null : await RedisCommandStats.ReadAsync(redis.Nodes, answered);

        var steps = new List<RateStepResult>();
        foreach (var rate in rates ?? settings.LoadFractions.Select(f => Math.Round(f * saturated.AchievedPerSecond)).ToList())
        {
            var step = await RateStep.RunAsync(client, clusters, rate, server.Pid, redis?.Pids, context, cancellationToken);
            steps.Add(step);
            var h = step.Heartbeats;
            context.Log($"  {name}: offered {rate}/s achieved {h.AchievedPerSecond}/s p50 {h.Latency.P50Ms} p99 {h.Latency.P99Ms} p999 {h.Latency.P999Ms} ms, errors {h.Outcomes.Errors}, cpu server {step.Cpu.ServerCores} redis {step.Cpu.RedisCores} sim {step.Cpu.SimulatorCores}");
        }
        return new TargetResult(name, registration, new RateStepResult(saturated, saturatedCpu), steps, commandStats, ProcStats.RssBytes(server.Pid));
    }
}

public sealed record TargetResult(string Target, RegistrationResult Registration, RateStepResult Saturated,
    IReadOnlyList<RateStepResult> Steps, RedisCommandStats? RedisCommands, long RssBytesAfter);

public sealed record HeartbeatsResult(int Clusters, int SaturationConcurrency, int Connections, double StepSeconds,
    TargetResult Ceiling, TargetResult Manager, TargetResult? ManagerOnCluster = null);
