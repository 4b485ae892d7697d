using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;
using Orchestrator.Bench.Simulation;

namespace Orchestrator.Bench.Scenarios;

// One open-loop step: `clusters` beating at a fixed total rate, warmed up, then measured.
public static class RateStep
{
    public static async Task<RateStepResult> RunAsync(ProtocolClient client, IReadOnlyList<SimCluster> clusters, double ratePerSecond,
        int serverPid, IReadOnlyList<int>? redisPids, BenchContext context, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var interval = TimeSpan.FromSeconds(clusters.Count / ratePerSecond);
        var pacer = new HeartbeatPacer(client, clusters, interval, maxInFlight: 20_000, retry: false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = pacer.RunAsync(stop.Token);
        await Task.Delay(settings.HeartbeatWarmup, cancellationToken);
        var cpu = new CpuMeter(serverPid, redisPids);
        var window = pacer.OpenWindow();
        await Task.Delay(settings.HeartbeatDuration, cancellationToken);
        var share = cpu.Stop();
        var result = await window.CloseAsync(ratePerSecond, settings.CallTimeout);
        await stop.CancelAsync();
        await running;
        return new RateStepResult(result, share);
    }
}

public sealed record RateStepResult(HeartbeatWindowResult Heartbeats, CpuShare Cpu);
