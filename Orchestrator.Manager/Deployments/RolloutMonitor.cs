using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Tenants;
using StackExchange.Redis;

namespace Orchestrator.Manager.Deployments;

// Drives every running rollout, on one replica at a time: the holder of the rollout lease (as liveness does), so
// two replicas never take the same step. Everything a step needs is in Redis (RolloutController), so another
// replica, or this one after a restart, carries on where the last step ended. Steps on TimeProvider's clock.
public sealed class RolloutMonitor(
    DeploymentStore store, RolloutController controller, Agents.AgentStore agents, RolloutState state, Events.EventLog events, AuditLog audit, IConnectionMultiplexer redis,
    TimeProvider time, ILogger<RolloutMonitor> logger, IMeterFactory meters) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("Orchestrator.Manager.Rollouts");

    // Short: a batch's health gate is counted in seconds, and an idle pass is one SMEMBERS and a read per running deployment.
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private readonly LeaderLease _lease = new(redis, key: RedisKeys.RolloutLease);
    private readonly Counter<long> _updated = meters.Create("Orchestrator.Manager.Rollouts")
        .CreateCounter<long>("orchestrator.rollout.agents_updated", description: "Agents a rollout updated in place");
    // The factory answers one Meter per name: both counters are on it.
    private readonly Counter<long> _canaries = meters.Create("Orchestrator.Manager.Rollouts")
        .CreateCounter<long>("orchestrator.rollout.canaries_placed", description: "Canaries a rollout placed beside the old agents");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do await PassAsync(); while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await _lease.ReleaseAsync(); } catch (Exception ex) when (ex is RedisException or RedisTimeoutException or ObjectDisposedException) { }
    }

    private async Task PassAsync()
    {
        using var activity = ActivitySource.StartPass("rollout pass");
        var acted = false;
        try
        {
            var leader = await _lease.TryAcquireAsync(Period * 6);
            if (leader)
            {
                foreach (var record in await store.ListAsync(active: true))
                {
                    if (record.State != DeploymentStates.Running) continue;
                    acted |= await StepAsync(record, activity);
                }
                if (time.GetUtcNow() >= _nextSweep)
                {
                    _nextSweep = time.GetUtcNow() + SweepPeriod;
                    acted |= await SweepAsync() > 0;
                }
            }
            state.Passed(leader, time.GetUtcNow());
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            acted = true;
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            state.Failed(ex.Message);
            logger.LogWarning("Rollout pass failed: {Error}", ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As in LivenessMonitor: one bad pass is logged with its stack, the rollouts go on at the next tick.
            acted = true;
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            state.Failed(ex.Message);
            logger.LogError(ex, "Rollout pass failed unexpectedly");
        }
        finally
        {
            if (!acted) activity.Quiet();
        }
    }

    // A deployment whose agents were all stopped one by one (DELETE agents/{id}) is gone too: it would otherwise
    // stay listed with nothing in it. Reads every deployment (and an agent of each), so only every SweepPeriod.
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromMinutes(1);
    private DateTimeOffset _nextSweep;

    private async Task<int> SweepAsync()
    {
        var removed = 0;
        foreach (var record in await store.ListAsync())
        {
            if (await agents.AnyExistsAsync(record.AgentIds) || !await store.TryDeleteAsync(record)) continue;
            removed++;
            events.DeploymentChanged(record.Tenant, record.Id, "deleted", "every agent of the deployment was stopped");
        }
        return removed;
    }

    // One step; the record is saved only when nobody changed it since it was read (an operator's pause wins, and
    // the agents this step updated are seen by their revision on the next one).
    private async Task<bool> StepAsync(DeploymentRecord record, Activity? activity)
    {
        var before = (record.State, record.Revision, record.Description, record.AwaitingPromotion);
        var seen = await controller.ObserveAsync(record);
        var step = await controller.StepAsync(record, seen, activity);
        var changed = step.Acted || before != (record.State, record.Revision, record.Description, record.AwaitingPromotion);
        record.UpdatedAt = changed ? time.GetUtcNow().ToUnixTimeMilliseconds() : record.UpdatedAt;
        if (!await store.TrySaveAsync(record)) return changed;
        if (step.Updated.Count > 0) _updated.Add(step.Updated.Count);
        if (step.Placed.Count > 0) _canaries.Add(step.Placed.Count);
        if (!changed) return false;
        events.DeploymentChanged(record.Tenant, record.Id, record.State, record.Description);
        if (record.State != before.State || record.Revision != before.Revision)
        {
            logger.LogInformation("Deployment {DeploymentId}: {State}, revision {Revision}: {Description}", record.Id, record.State, record.Revision,
                record.Description);
            var action = record.State switch
            {
                DeploymentStates.Failed => AuditActions.DeploymentFailed,
                DeploymentStates.Successful => AuditActions.DeploymentSucceeded,
                DeploymentStates.Reverted => AuditActions.DeploymentReverted,
                _ => record.Revision != before.Revision ? AuditActions.DeploymentRevert : null,
            };
            if (action is not null)
                await audit.RecordAsync("rollout", "system", record.Tenant ?? "", action, record.Id,
                    record.State == DeploymentStates.Failed ? AuditOutcomes.Refused : AuditOutcomes.Success);
        }
        return true;
    }
}

// What the rollout monitor last did, for its health check.
public sealed class RolloutState
{
    public bool IsLeader { get; private set; }
    public DateTimeOffset? LastPassAt { get; private set; }
    public string? LastError { get; private set; }

    public void Passed(bool isLeader, DateTimeOffset at) => (IsLeader, LastPassAt, LastError) = (isLeader, at, null);

    public void Failed(string error) => LastError = error;
}

public sealed class RolloutHealthCheck(RolloutState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.LastError is { } error
            ? HealthCheckResult.Degraded($"last rollout pass failed: {error}")
            : HealthCheckResult.Healthy(state.IsLeader ? "leader: drives rollouts" : "standby: another replica holds the rollout lease"));
}
