using System.Diagnostics;
using Orchestrator.Bench.Measurement;

namespace Orchestrator.Bench.Simulation;

// One measured stretch of a heartbeat run. Latency counts from the intended send time, so a
// slow manager cannot hide queueing behind a late send (coordinated omission); the service time
// (from the actual send) is kept beside it.
public sealed class HeartbeatWindow(long start)
{
    private long _pending;
    private long _completed;
    private long _skipped;

    public long Start { get; } = start;
    public long End { get; private set; } = long.MaxValue;
    public LatencyRecorder FromIntended { get; } = new();
    public LatencyRecorder Service { get; } = new();
    public OutcomeCounts Outcomes { get; } = new();

    public bool Covers(long intended) => intended >= Start && intended < End;
    public void Began() => Interlocked.Increment(ref _pending);
    public void Skipped() => Interlocked.Increment(ref _skipped);

    public void Completed(long intended, long sent, long ended)
    {
        FromIntended.RecordElapsed(Stopwatch.GetElapsedTime(intended, ended));
        Service.RecordElapsed(Stopwatch.GetElapsedTime(sent, ended));
        Interlocked.Decrement(ref _pending);
    }

    // Throughput counts every answered heartbeat that ended inside the window, whenever it was sent.
    public void Answered(long ended)
    {
        if (ended >= Start && ended < End) Interlocked.Increment(ref _completed);
    }

    public async Task<HeartbeatWindowResult> CloseAsync(double offeredPerSecond, TimeSpan drainDeadline)
    {
        End = Stopwatch.GetTimestamp();
        var drain = Stopwatch.StartNew();
        while (Interlocked.Read(ref _pending) > 0 && drain.Elapsed < drainDeadline) await Task.Delay(20);
        var seconds = Stopwatch.GetElapsedTime(Start, End).TotalSeconds;
        var outcomes = Outcomes.Summarize();
        return new HeartbeatWindowResult(Math.Round(offeredPerSecond, 1), Math.Round(seconds, 2),
            Math.Round(Interlocked.Read(ref _completed) / seconds, 1),
            FromIntended.Summarize(), Service.Summarize(), outcomes, Interlocked.Read(ref _skipped),
            Interlocked.Read(ref _pending));
    }
}

// achieved_per_second counts answered heartbeats that ended inside the window.
public sealed record HeartbeatWindowResult(double OfferedPerSecond, double Seconds, double AchievedPerSecond,
    LatencySummary Latency, LatencySummary ServiceTime, OutcomeSummary Outcomes, long SkippedBacklog, long Unfinished);
