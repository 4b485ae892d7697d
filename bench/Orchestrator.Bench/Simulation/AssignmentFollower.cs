using System.Diagnostics;
using System.Net;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;
using Orchestrator.Protocol;

namespace Orchestrator.Bench.Simulation;

// One cluster's assignment long-poll, as Orchestrator.Agent holds it: wait for a newer generation,
// reconcile (agents "start" at once here), report their states, and stop whatever the manager rejects.
// As the agent does: a stopping manager's answer carries retry_after (wait that long before polling again), and
// the first answer after a failure or such an answer means the manager is back: beatNow (when given) then sends
// a heartbeat at once, after a random pause of up to 2 s (the agent's ReconnectJitter). Retries after a failure
// back off 1 s doubling, capped at 5 s (ReconnectMaxDelay) and jittered 0.5-1.0.
public sealed class AssignmentFollower(ProtocolClient client, SimCluster cluster, TimeSpan interval, int waitSeconds,
    Action<string, long>? onRunning, OutcomeCounts polls, OutcomeCounts reports, Func<SimCluster, CancellationToken, Task>? beatNow = null)
{
    private static readonly TimeSpan ReconnectJitter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReconnectMaxDelay = TimeSpan.FromSeconds(5);
    private bool _interrupted;

    // Three 404s in a row even after registering again: the manager has no such endpoint.
    public bool Unsupported { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        var failures = 0;
        var notFound = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // As the agent does: after an outage the first poll does not wait, so its answer says at once the manager is back.
                var (status, body) = await client.AssignmentsAsync(cluster, cluster.AppliedGeneration, _interrupted ? 0 : waitSeconds, stopping);
                polls.AddStatus(status);
                if (status == HttpStatusCode.NotFound && ++notFound >= 3) { Unsupported = true; return; }
                if (status is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized)
                {
                    if (status == HttpStatusCode.Unauthorized) cluster.Authorization = null;
                    await client.RegisterAsync(cluster, stopping);
                    continue;
                }
                if (body is null) { _interrupted = true; await Task.Delay(Backoff(++failures), stopping); continue; }
                (failures, notFound) = (0, 0);
                if (_interrupted && body.RetryAfter is null && beatNow is not null)
                    _ = BeatSoonAsync(stopping);
                _interrupted = body.RetryAfter is not null;
                if (body.Generation > cluster.AppliedGeneration) await ApplyAsync(body, stopping);
                if (body.RetryAfter is { } seconds and > 0) await Task.Delay(TimeSpan.FromSeconds(seconds), stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ProtocolException)
            {
                if (e is ProtocolException p) polls.AddStatus(p.Status); else polls.AddException(e);
                _interrupted = true;
                try { await Task.Delay(Backoff(++failures), stopping); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task ApplyAsync(AssignmentsResponse desired, CancellationToken stopping)
    {
        var running = cluster.Reconcile(desired.Assignments);
        cluster.AppliedGeneration = desired.Generation;
        cluster.RebuildHeartbeat();
        var now = DateTimeOffset.UtcNow;
        var states = running.Select(a => new ReportedAgent(a.AgentId, a.State, a.Epoch, 0, null, now)).ToList();
        var (status, answer) = await client.ReportAsync(cluster, desired.Generation, states, stopping);
        reports.AddStatus(status);
        if (answer is null) return;
        var reported = Stopwatch.GetTimestamp();
        foreach (var id in answer.Accepted) onRunning?.Invoke(id, reported);
        foreach (var rejected in answer.Rejected ?? []) cluster.Stop(rejected.AgentId);
    }

    private async Task BeatSoonAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(ReconnectJitter * Random.Shared.NextDouble(), stopping);
            await beatNow!(cluster, stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(Math.Min(interval.TotalSeconds, ReconnectMaxDelay.TotalSeconds), Math.Pow(2, Math.Clamp(failures - 1, 0, 20)));
        return TimeSpan.FromSeconds(ceiling * (0.5 + Random.Shared.NextDouble() * 0.5));
    }
}
