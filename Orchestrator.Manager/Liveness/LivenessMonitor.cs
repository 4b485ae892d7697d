using System.Diagnostics;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Recovery;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Telemetry;
using StackExchange.Redis;

namespace Orchestrator.Manager.Liveness;

// Every LivenessCheckPeriod: the lease holder sweeps for missed heartbeats; every replica refreshes
// the containers-by-status gauge. Runs apart from the HTTP handlers, on TimeProvider's clock.
public sealed class LivenessMonitor(
    LivenessSweeper sweeper, Rescheduler rescheduler, ContainerDrains drains, AgentIndexRepair indexRepair, ContainerTotals totals, ContainerStatusSnapshot snapshot, LivenessState state,
    IConnectionMultiplexer redis, TimeProvider time, IOptions<ManagerOptions> options, ILogger<LivenessMonitor> logger, Events.EventLog events)
    : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("Orchestrator.Manager.Liveness");

    // Beyond this many status changes in one sweep, one summary line replaces a line per container.
    private const int ChangesLoggedOneByOne = 20;

    private readonly LeaderLease _lease = new(redis);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.LivenessCheckPeriod;
        logger.LogInformation("Startup grace: no container is marked lost before {Until:O} (one lost window after this manager started)",
            time.GetUtcNow() + sweeper.LostAfter);
        using var timer = new PeriodicTimer(period, time);
        try
        {
            do
            {
                await PassAsync(period);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Hand over at once instead of making the next replica wait out the TTL. Best effort: when the host
        // is torn down, the Redis connection may already be disposed (the lease then simply expires).
        try { await _lease.ReleaseAsync(); } catch (Exception ex) when (ex is RedisException or RedisTimeoutException or ObjectDisposedException) { }
    }

    // One span per pass (lease, sweep, reschedule, totals), its Redis commands as children. A pass that changed
    // nothing (the usual case) is quiet: left out of the export, so idle sweeps do not bury a user's traces.
    private async Task PassAsync(TimeSpan period)
    {
        using var activity = ActivitySource.StartPass("liveness pass");
        var acted = false;
        try
        {
            // Three periods of TTL: one slow pass does not lose the lease, a dead holder loses it soon.
            var leader = await _lease.TryAcquireAsync(period * 3);
            activity?.SetTag("liveness.leader", leader);
            if (leader)
            {
                var changes = await sweeper.SweepAsync();
                LogChanges(changes);
                events.ContainerStatusChanged(changes);
                // Same lease as the sweep: one replica decides moves, right after it decided what is lost.
                var moved = await rescheduler.PassAsync();
                // Drains move agents the same way, one step per pass (issue 27).
                var drained = await drains.PassAsync();
                activity?.SetTag("drain.moved", drained);
                var relisted = await indexRepair.PassAsync();
                activity?.SetTag("liveness.status_changes", changes.Count);
                activity?.SetTag("rescheduling.moved", moved);
                activity?.SetTag("agents.relisted", relisted);
                acted = changes.Count > 0 || rescheduler.LastPassActed || relisted > 0 || drained > 0;
            }
            snapshot.Update((await totals.ReadAsync()).ToDictionary(b => b.Key, b => (int)b.Value.Count));
            state.Passed(leader, time.GetUtcNow());
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            acted = true;
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            state.Failed(ex.Message);
            logger.LogWarning("Liveness pass failed: {Error}", ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A defect, or data a Redis restart left half-written: this pass fails, the loop (and the manager) go on;
            // a loop that ended here would stop every sweep, reschedule and drain of this replica for good.
            acted = true;
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            state.Failed(ex.Message);
            logger.LogError(ex, "Liveness pass failed unexpectedly");
        }
        finally
        {
            if (!acted) activity.Quiet();
        }
    }

    private void LogChanges(IReadOnlyList<StatusChange> changes)
    {
        if (changes.Count > ChangesLoggedOneByOne)
        {
            logger.LogWarning("{Count} containers changed status in one sweep: {Unhealthy} now unhealthy, {Lost} now lost",
                changes.Count, changes.Count(c => c.Status == ContainerStatus.Unhealthy), changes.Count(c => c.Status == ContainerStatus.Lost));
            return;
        }
        foreach (var change in changes)
        {
            logger.LogWarning("Container {ContainerId} is now {Status}: no heartbeat for over {Missed} intervals",
                change.ContainerId, change.Status, change.Status == ContainerStatus.Lost ? LivenessSweeper.LostAfterMissed : LivenessSweeper.UnhealthyAfterMissed);
        }
    }
}
