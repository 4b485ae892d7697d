using System.Diagnostics;
using System.Net;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;

namespace Orchestrator.Bench.Simulation;

// Open-loop heartbeats: every cluster beats once per interval at its own jittered offset, sent at
// its scheduled time whether or not earlier beats have been answered. A failed beat is retried with
// jittered backoff (as Orchestrator.Agent does), a 404 registers again and a 401 logs in again.
public sealed class HeartbeatPacer
{
    private readonly ProtocolClient _client;
    private readonly SimCluster[] _clusters;
    private readonly long[] _offsets;
    private readonly long _intervalTicks;
    private readonly TimeSpan _interval;
    private readonly int _maxInFlight;
    private readonly bool _retry;
    private readonly long _epoch;
    private int _inFlight;
    private CancellationToken _stopping;

    // epoch: a Stopwatch timestamp the schedule is laid from. A pacer replaced by a bigger one with
    // the same epoch keeps every cluster's beat times, so none misses a beat in the hand-over.
    public HeartbeatPacer(ProtocolClient client, IReadOnlyList<SimCluster> clusters, TimeSpan interval, int maxInFlight, bool retry,
        long? epoch = null)
    {
        _client = client;
        _interval = interval;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        _maxInFlight = maxInFlight;
        _retry = retry;
        _epoch = epoch ?? Stopwatch.GetTimestamp();
        var ordered = clusters.OrderBy(c => c.Phase).ToArray();
        _clusters = ordered;
        _offsets = [.. ordered.Select(c => (long)(c.Phase * _intervalTicks))];
        Window = new HeartbeatWindow(long.MaxValue);
    }

    public double RatePerSecond => _clusters.Length / _interval.TotalSeconds;
    public HeartbeatWindow Window { get; private set; }
    public OutcomeCounts Retries { get; private set; } = new();
    public OutcomeCounts Recoveries { get; private set; } = new();

    public void ResetRetryCounts() => (Retries, Recoveries) = (new OutcomeCounts(), new OutcomeCounts());

    public HeartbeatWindow OpenWindow() => Window = new HeartbeatWindow(Stopwatch.GetTimestamp());

    public async Task RunAsync(CancellationToken stopping)
    {
        _stopping = stopping;
        if (_clusters.Length == 0) return;
        var start = _epoch;
        // Join the schedule where it stands now: this round's beats still to come, then every round.
        var elapsed = Math.Max(0, Stopwatch.GetTimestamp() - start);
        var round = elapsed / _intervalTicks;
        var next = Array.FindIndex(_offsets, offset => start + round * _intervalTicks + offset >= start + elapsed);
        if (next < 0) { next = 0; round++; }
        while (!stopping.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            long due;
            while ((due = start + round * _intervalTicks + _offsets[next]) <= now)
            {
                Fire(_clusters[next], due);
                if (++next == _clusters.Length) { next = 0; round++; }
            }
            var wait = Stopwatch.GetElapsedTime(now, due);
            try
            {
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Fire(SimCluster cluster, long intended)
    {
        if (cluster.ContainerId is null || Volatile.Read(ref cluster.Retrying) == 1) return;
        var window = Window;
        var measured = window.Covers(intended);
        if (Volatile.Read(ref _inFlight) >= _maxInFlight)
        {
            if (measured) window.Skipped();
            return;
        }
        Interlocked.Increment(ref _inFlight);
        if (measured) window.Began();
        _ = SendAsync(cluster, intended, measured ? window : null);
    }

    private async Task SendAsync(SimCluster cluster, long intended, HeartbeatWindow? window)
    {
        var sent = Stopwatch.GetTimestamp();
        var outcome = Outcome.Ok;
        HttpStatusCode status = 0;
        try
        {
            status = await _client.HeartbeatAsync(cluster, _stopping);
            outcome = window?.Outcomes.AddStatus(status) ?? OutcomeOf(status);
            if (outcome == Outcome.Ok)
            {
                var answered = Stopwatch.GetTimestamp();
                Volatile.Write(ref cluster.LastHeartbeatOk, answered);
                Window.Answered(answered);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            if (_stopping.IsCancellationRequested) return;
            outcome = window?.Outcomes.AddException(exception) ?? OutcomeCounts.Classify(exception);
        }
        finally
        {
            window?.Completed(intended, sent, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref _inFlight);
        }
        if (outcome != Outcome.Ok && !_stopping.IsCancellationRequested) _ = RecoverAsync(cluster, status);
    }

    // An unscheduled beat, as Orchestrator.Agent sends when its long-poll sees the manager back after an outage;
    // counted with the retries. A failure is left to the next scheduled beat and its retries.
    public async Task BeatNowAsync(SimCluster cluster, CancellationToken stopping)
    {
        if (cluster.ContainerId is null || Volatile.Read(ref cluster.Retrying) == 1) return;
        try
        {
            var status = await _client.HeartbeatAsync(cluster, stopping);
            if (Retries.AddStatus(status) == Outcome.Ok) Volatile.Write(ref cluster.LastHeartbeatOk, Stopwatch.GetTimestamp());
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            if (!stopping.IsCancellationRequested) Retries.AddException(exception);
        }
    }

    private static Outcome OutcomeOf(HttpStatusCode status) =>
        (int)status switch { < 400 => Outcome.Ok, < 500 => Outcome.ClientError, _ => Outcome.ServerError };

    // 404: register again; 401: log in again; anything else (5xx, refused, timeout): beat again
    // after a jittered, growing delay capped at the interval, so a restarted manager is not stampeded.
    private async Task RecoverAsync(SimCluster cluster, HttpStatusCode firstStatus)
    {
        if (!_retry && firstStatus is not (HttpStatusCode.NotFound or HttpStatusCode.Unauthorized)) return;
        if (Interlocked.CompareExchange(ref cluster.Retrying, 1, 0) == 1) return;
        try
        {
            var status = firstStatus;
            for (var attempt = 0; !_stopping.IsCancellationRequested; attempt++)
            {
                if (status is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized)
                {
                    if (status == HttpStatusCode.Unauthorized) cluster.Authorization = null;
                    try
                    {
                        await _client.RegisterAsync(cluster, _stopping);
                        Recoveries.Add(Outcome.Ok);
                    }
                    catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or ProtocolException)
                    {
                        if (exception is ProtocolException p) Recoveries.AddStatus(p.Status); else Recoveries.AddException(exception);
                    }
                }
                else
                {
                    await Task.Delay(Backoff(attempt), _stopping);
                }
                try
                {
                    status = await _client.HeartbeatAsync(cluster, _stopping);
                    if (Retries.AddStatus(status) == Outcome.Ok)
                    {
                        Volatile.Write(ref cluster.LastHeartbeatOk, Stopwatch.GetTimestamp());
                        return;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
                {
                    if (_stopping.IsCancellationRequested) return;
                    Retries.AddException(exception);
                    status = 0;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref cluster.Retrying, 0);
        }
    }

    // Orchestrator.Agent's: 1 s doubling per failure, capped at the interval, times 0.8..1.0.
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_interval.TotalSeconds, Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromSeconds(ceiling * (0.8 + Random.Shared.NextDouble() * 0.2));
    }
}
