using System.Diagnostics;
using Orchestrator.Testing;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Simulation;

namespace Orchestrator.Bench.Scenarios;

// reconnect: a fleet heartbeating (and, by default, holding its long-polls), then the manager is
// restarted: SIGTERM, wait for it to exit, start it again on the same port with the same Redis.
// A cluster is back at its first heartbeat answered 200 by the new process.
public sealed class ReconnectScenario(BenchContext context)
{
    public async Task<ReconnectResult> RunAsync(CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var interval = settings.ReconnectInterval;
        await using var redis = await context.StartRedisAsync();
        var port = FreePort.Next();
        var manager = await context.StartManagerAsync(redis, interval, port);
        try
        {
            using var http = context.Http(manager.Url!, longPollConnections: settings.ReconnectClusters + 16);
            var client = context.Client(http);
            var clusters = Enumerable.Range(0, settings.ReconnectClusters).Select(i => new SimCluster(i, context.RunId, 10, settings.Seed)).ToList();
            var registration = await FleetRegistrar.RegisterAsync(client, clusters, settings.RegisterConcurrency, cancellationToken);
            clusters.RemoveAll(c => c.ContainerId is null);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pacer = new HeartbeatPacer(client, clusters, interval, maxInFlight: 20_000, retry: true);
            var (polls, reports) = (new OutcomeCounts(), new OutcomeCounts());
            var background = new List<Task> { pacer.RunAsync(stop.Token) };
            if (settings.ReconnectLongPoll)
                background.AddRange(clusters.Select(c => new AssignmentFollower(client, c, interval, 25, null, polls, reports, pacer.BeatNowAsync).RunAsync(stop.Token)));
            context.Log($"reconnect: {clusters.Count} clusters heartbeating every {interval.TotalSeconds} s{(settings.ReconnectLongPoll ? " with long-polls open" : "")}; settling one interval");
            await Task.Delay(interval + TimeSpan.FromSeconds(1), cancellationToken);
            var beforeRestart = clusters.Count(c => Volatile.Read(ref c.LastHeartbeatOk) != 0);

            var window = pacer.OpenWindow();
            pacer.ResetRetryCounts();
            var pollsBefore = polls.Summarize();
            var stopped = Stopwatch.GetTimestamp();
            await manager.StopAsync(TimeSpan.FromSeconds(30));
            var exited = Stopwatch.GetTimestamp();
            var started = Stopwatch.GetTimestamp();
            manager = await context.StartManagerAsync(redis, interval, port);
            var ready = Stopwatch.GetTimestamp();
            context.Log($"reconnect: manager restarted, down {Stopwatch.GetElapsedTime(stopped, ready).TotalSeconds:0.0} s");

            var timeline = new List<TimelinePoint>();
            var deadline = interval * 2 + TimeSpan.FromSeconds(30);
            int back;
            do
            {
                back = clusters.Count(c => Volatile.Read(ref c.LastHeartbeatOk) > started);
                timeline.Add(new TimelinePoint(Math.Round(Stopwatch.GetElapsedTime(stopped).TotalSeconds, 2), back));
                if (back == clusters.Count) break;
                await Task.Delay(200, cancellationToken);
            }
            while (Stopwatch.GetElapsedTime(stopped) < deadline);
            var allBack = back == clusters.Count ? Stopwatch.GetTimestamp() : (long?)null;
            var backTimes = new LatencyRecorder();
            foreach (var cluster in clusters)
                if (Volatile.Read(ref cluster.LastHeartbeatOk) is var at && at > started) backTimes.RecordElapsed(Stopwatch.GetElapsedTime(stopped, at));
            var heartbeats = await window.CloseAsync(pacer.RatePerSecond, TimeSpan.FromSeconds(1));
            await stop.CancelAsync();
            await Task.WhenAll(background);

            double Seconds(long from, long? to) => to is { } t ? Math.Round(Stopwatch.GetElapsedTime(from, t).TotalSeconds, 2) : -1;
            var result = new ReconnectResult(clusters.Count, interval.TotalSeconds, settings.ReconnectLongPoll, registration, beforeRestart,
                Seconds(stopped, exited), Seconds(stopped, ready), back, Seconds(stopped, allBack), Seconds(ready, allBack),
                backTimes.Summarize(), heartbeats.Outcomes, pacer.Retries.Summarize(), pacer.Recoveries.Summarize(),
                Minus(polls.Summarize(), pollsBefore), timeline);
            context.Log($"reconnect: {back}/{clusters.Count} back, all back {result.AllBackFromStopSeconds} s after the stop " +
                        $"({result.AllBackFromReadySeconds} s after ready); 5xx {result.Status5xx}, refused/transport/timeouts {result.ConnectionErrors}");
            return result;
        }
        finally
        {
            await manager.DisposeAsync();
        }
    }

    private static OutcomeSummary Minus(OutcomeSummary after, OutcomeSummary before) => new(after.Ok - before.Ok,
        after.Status4xx - before.Status4xx, after.Status5xx - before.Status5xx, after.Refused - before.Refused,
        after.Transport - before.Transport, after.Timeout - before.Timeout, after.ErrorsByStatus);
}

public sealed record TimelinePoint(double SecondsSinceStop, int ClustersBack);

// -1 seconds: not every cluster came back before the deadline (two intervals plus 30 s).
public sealed record ReconnectResult(int Clusters, double HeartbeatIntervalSeconds, bool LongPolls, RegistrationResult Registration,
    int HeartbeatingBeforeRestart, double StopSeconds, double DowntimeSeconds, int ClustersBack, double AllBackFromStopSeconds,
    double AllBackFromReadySeconds, LatencySummary BackAfterStop, OutcomeSummary ScheduledHeartbeats, OutcomeSummary RetriedHeartbeats,
    OutcomeSummary Reregistrations, OutcomeSummary LongPollsDuringRestart, IReadOnlyList<TimelinePoint> Timeline)
{
    public long Status5xx => ScheduledHeartbeats.Status5xx + RetriedHeartbeats.Status5xx + Reregistrations.Status5xx + LongPollsDuringRestart.Status5xx;
    public long ConnectionErrors => ScheduledHeartbeats.Refused + ScheduledHeartbeats.Transport + ScheduledHeartbeats.Timeout
        + RetriedHeartbeats.Refused + RetriedHeartbeats.Transport + RetriedHeartbeats.Timeout;
}
