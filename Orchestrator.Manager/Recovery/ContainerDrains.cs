using System.Text.Json;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// Drain (issue 27, Nomad's drain with migrate.max_parallel): the container is cordoned, then its `reschedule` agents
// move off, at most max_parallel at a time, each in two steps so no agent ever runs twice:
//   1. its entry gets desired_state stopped (force once the deadline passed or the drain is forced): its node waits
//      for the agent's update lock, stops it, keeps its data and reports it stopped;
//   2. only then AgentMover takes it off (MoveOut in drain mode checks that report under the same epoch) and starts
//      it on another container with epoch + 1, which fences the old copy for good.
// `keep` and tenant-pinned agents stay unless force. The node is not told anything else: it keeps heartbeating and
// running the rest. Progress (DrainProgress) is on the container hash, so any replica answers GET; one replica, the
// liveness leader, drives every drain in its pass (PassAsync), so a manager restart only delays it a pass.
public sealed class ContainerDrains(
    IConnectionMultiplexer redis, ContainerStore containers, AgentStore agents, Rescheduler rescheduler, TimeProvider time,
    ILogger<ContainerDrains> logger, Events.EventLog events, MaintenanceWindows windows, AuditLog audit)
{
    public const int DefaultDeadlineSeconds = 3600;
    public const int MaxDeadlineSeconds = 86400;
    public const int MaxParallelLimit = 100;

    private IDatabase Db => redis.GetDatabase();

    // Starts (or restarts with new settings) a drain of an existing container; null when it does not exist.
    public async Task<ContainerView?> StartAsync(string containerId, int deadlineSeconds, int maxParallel, bool force)
    {
        if (!await containers.SetEligibilityAsync(containerId, eligible: false, "draining")) return null;
        var now = time.GetUtcNow();
        var before = (await containers.GetAsync(containerId))?.Drain;
        // Draining again while one runs replaces its settings and keeps its progress; after a complete one it starts afresh.
        var running = before is { State: DrainStates.Draining } ? before : null;
        var drain = new DrainProgress(DrainStates.Draining, now, now.AddSeconds(deadlineSeconds), maxParallel, force, running?.Moved ?? 0,
            Remaining: running?.Remaining ?? 0, Blocked: 0, running?.Moving ?? []);
        await WriteAsync(containerId, drain);
        await Db.SetAddAsync(RedisKeys.Draining, containerId);
        return await containers.GetAsync(containerId);
    }

    // Advances every drain one step. Returns how many agents moved.
    public async Task<int> PassAsync()
    {
        var ids = await Db.SetMembersAsync(RedisKeys.Draining);
        if (ids.Length == 0) return 0;
        var all = await containers.ListAsync();
        var byId = all.ToDictionary(c => c.ContainerId, StringComparer.Ordinal);
        var moved = 0;
        foreach (var id in ids.Select(i => i.ToString()))
        {
            if (!byId.TryGetValue(id, out var container) || container.Drain is not { State: DrainStates.Draining } drain)
            {
                await Db.SetRemoveAsync(RedisKeys.Draining, id);
                continue;
            }
            // Lost or revoked while draining: the rescheduler moves its agents, as for any lost container.
            if (container.Status is ContainerStatus.Lost or ContainerStatus.Revoked) continue;
            try
            {
                moved += await StepAsync(container, drain, all);
            }
            catch (Exception ex) when (ex is RedisException or JsonException)
            {
                logger.LogWarning("Drain of {ContainerId} could not advance this pass: {Error}", id, ex.Message);
            }
        }
        return moved;
    }

    private async Task<int> StepAsync(ContainerView container, DrainProgress drain, IReadOnlyList<ContainerView> all)
    {
        var id = container.ContainerId;
        var now = time.GetUtcNow();
        var pastDeadline = now >= drain.Deadline;
        var forceStops = drain.Force || pastDeadline;
        var movable = new List<Assignment>();
        foreach (var assignment in await agents.DesiredOnContainerAsync(id))
            if (drain.Force || (assignment.OnClusterLoss == ClusterLossPolicies.Reschedule && !await PinnedAsync(assignment.AgentId))) movable.Add(assignment);
        var reported = await agents.ReportedStatesAsync(id);
        var moving = drain.Moving.Where(m => movable.Any(a => a.AgentId == m)).ToHashSet(StringComparer.Ordinal);
        var moved = 0;

        // Step 2 for those the node stopped (the drain's, and agents an operator had stopped, which stay stopped).
        // One stopped with nowhere to go (Full) waits stopped and counts as waiting for capacity.
        var waitingForCapacity = 0;
        foreach (var assignment in movable.Where(a => a.DesiredState == AgentStates.Stopped).ToList())
        {
            var ours = moving.Contains(assignment.AgentId);
            if (reported.GetValueOrDefault(assignment.AgentId) == AgentStates.Stopped)
            {
                var outcome = await rescheduler.MoveDrainedAsync(assignment, container, all, keepStopped: !ours);
                if (outcome == AgentMover.Outcome.Moved)
                {
                    moved++;
                    moving.Remove(assignment.AgentId);
                    movable.Remove(assignment);
                }
                else if (outcome == AgentMover.Outcome.Full) waitingForCapacity++;
            }
            else if (ours && forceStops && assignment.Force != true)
            {
                // The deadline passed while it held its update lock: its stop goes ahead now.
                if (await agents.SetDesiredStateAsync(id, assignment.AgentId, AgentStates.Stopped, force: true))
                    await RecordForcedStopAsync(container, drain, assignment.AgentId, pastDeadline);
            }
        }

        // Step 1 for the next ones, up to max_parallel at once; one with nowhere to go keeps running until there is
        // room (counted in waiting_for_capacity: every pass looks again, so it goes on once a container is eligible or
        // has room). Outside the tenant's maintenance window a drain that is not forced stops nothing new (issue 27).
        var waiting = !drain.Force && movable.Any(a => a.DesiredState != AgentStates.Stopped)
            && !await windows.IsOpenAsync(container.OrchestratorId());
        foreach (var assignment in movable.Where(a => !waiting && a.DesiredState != AgentStates.Stopped))
        {
            if (!await rescheduler.HasRoomForDrainedAsync(assignment, container, all))
            {
                waitingForCapacity++;
                continue;
            }
            if (moving.Count >= drain.MaxParallel) continue;
            if (!await agents.SetDesiredStateAsync(id, assignment.AgentId, AgentStates.Stopped, forceStops)) continue;
            moving.Add(assignment.AgentId);
            // Stopped only now, past the deadline: its lock (if any) is not waited for either.
            if (pastDeadline && !drain.Force) await RecordForcedStopAsync(container, drain, assignment.AgentId, pastDeadline);
        }

        var blocked = moving.Count(m => reported.GetValueOrDefault(m) == AgentStates.BlockedByLock);
        var next = drain with
        {
            Moved = drain.Moved + moved, Remaining = movable.Count, Blocked = blocked, Moving = [.. moving.Order(StringComparer.Ordinal)],
            WaitingForWindow = waiting, WaitingForCapacity = waitingForCapacity,
        };
        if (movable.Count == 0) next = next with { State = DrainStates.Complete, CompletedAt = now };
        if (next.State != drain.State || next.Moved != drain.Moved || next.Remaining != drain.Remaining || next.Blocked != drain.Blocked || next.WaitingForWindow != drain.WaitingForWindow
            || next.WaitingForCapacity != drain.WaitingForCapacity
            || !next.Moving.SequenceEqual(drain.Moving))
        {
            await WriteAsync(id, next);
            events.ContainerDrain(id, container.OrchestratorId(), next);
        }
        if (next.State == DrainStates.Complete)
        {
            await Db.SetRemoveAsync(RedisKeys.Draining, id);
            logger.LogInformation("Drain of {ContainerId} ({Name}) complete: {Moved} agents moved", id, container.ContainerName, next.Moved);
        }
        return moved;
    }

    // A stop the drain forced on its own (its deadline passed; or a drain re-issued with force found the agent
    // waiting for its lock): in the events and the audit log (actor drain, role system) as a forced stop, so an
    // operator sees why an agent's update lock was not honoured.
    private async Task RecordForcedStopAsync(ContainerView container, DrainProgress drain, string agentId, bool pastDeadline)
    {
        var id = container.ContainerId;
        var reason = pastDeadline ? $"drain of {id}: deadline {drain.Deadline:u} passed, its update lock is not waited for"
            : $"drain of {id} forced";
        events.AgentDesiredStateChanged(agentId, id, container.OrchestratorId(), AgentStates.Stopped, force: true, reason);
        await audit.RecordAsync("drain", "system", container.OrchestratorId(), AuditActions.AgentStopForced, agentId, AuditOutcomes.Success, detail: reason);
        logger.LogWarning("Forcing the stop of {AgentId}: {Reason}", agentId, reason);
    }

    // Pinned to one orchestrator_id at deploy (constraints or agent_config): a drain leaves it unless forced.
    private async Task<bool> PinnedAsync(string agentId) =>
        AgentConstraints.Parse(await Db.HashGetAsync(RedisKeys.Agent(agentId), AgentFields.Constraints)) is { OrchestratorId: not null };

    // Only an existing container's hash is written (a deleted one is not brought back).
    private async Task WriteAsync(string containerId, DrainProgress drain)
    {
        var transaction = Db.CreateTransaction();
        transaction.AddCondition(Condition.KeyExists(RedisKeys.Container(containerId)));
        _ = transaction.HashSetAsync(RedisKeys.Container(containerId), ContainerFields.Drain,
            JsonSerializer.Serialize(drain, ProtocolJsonContext.Default.DrainProgress));
        await transaction.ExecuteAsync();
    }
}
