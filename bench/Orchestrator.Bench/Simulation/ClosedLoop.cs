using System.Diagnostics;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;

namespace Orchestrator.Bench.Simulation;

// Saturation: `concurrency` workers each send the next cluster's heartbeat as soon as the last
// one is answered. The achieved rate is the most this machine does for that server.
public static class ClosedLoop
{
    // onWindowOpen runs when measuring starts; the count returned beside the result is every heartbeat
    // answered 200 from then until the workers stopped (for per-heartbeat Redis command counts).
    public static async Task<(HeartbeatWindowResult Result, long AnsweredSinceOpen)> SaturateAsync(ProtocolClient client,
        IReadOnlyList<SimCluster> clusters, int concurrency, TimeSpan warmup, TimeSpan duration, Func<Task>? onWindowOpen,
        CancellationToken cancellationToken)
    {
        long answered = 0;
        var counting = false;
        var window = new HeartbeatWindow(long.MaxValue);
        var next = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var cluster = clusters[(int)((uint)Interlocked.Increment(ref next) % clusters.Count)];
                var current = window;
                var started = Stopwatch.GetTimestamp();
                var measured = current.Covers(started);
                if (measured) current.Began();
                try
                {
                    var status = await client.HeartbeatAsync(cluster, stop.Token);
                    if (measured) current.Outcomes.AddStatus(status);
                    if ((int)status < 400) window.Answered(Stopwatch.GetTimestamp());
                    if (Volatile.Read(ref counting) && (int)status < 400) Interlocked.Increment(ref answered);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    if (stop.IsCancellationRequested) { if (measured) current.Completed(started, started, Stopwatch.GetTimestamp()); return; }
                    if (measured) current.Outcomes.AddException(e);
                }
                if (measured) current.Completed(started, started, Stopwatch.GetTimestamp());
            }
        }).ToList();
        await Task.Delay(warmup, cancellationToken);
        if (onWindowOpen is not null) await onWindowOpen();
        Volatile.Write(ref counting, true);
        window = new HeartbeatWindow(Stopwatch.GetTimestamp());
        await Task.Delay(duration, cancellationToken);
        var result = await window.CloseAsync(0, TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        return (result, Interlocked.Read(ref answered));
    }
}
