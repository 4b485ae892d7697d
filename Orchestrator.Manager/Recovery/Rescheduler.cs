using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Scheduling;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// Runs after each liveness sweep, on the liveness leader only. Every `reschedule` agent of a container
// lost for longer than Scheduling:RescheduleAfter moves to a healthy container that supports its type
// (least_loaded) and meets its stored constraints within its tenant, one atomic script per agent with epoch + 1. By then its old orchestrator has fenced it:
// see SchedulingOptionsValidator for the inequality. No room: it stays (shown unknown) until a later pass.
public sealed class Rescheduler(
    ContainerStore containers, ContainerTotals totals, IConnectionMultiplexer redis, AgentMover mover, ReschedulingPause pause, ReschedulingState state,
    RecoveryTelemetry telemetry, TimeProvider time, IOptions<SchedulingOptions> scheduling, IOptions<ManagerOptions> manager,
    ILogger<Rescheduler> logger, Events.EventLog events)
{
    private static readonly IPlacementStrategy Strategy = LoadStrategy.LeastLoaded;
    private readonly HashSet<string> _reportedUnplaced = new(StringComparer.Ordinal);

    private TimeSpan LostWindow => manager.Value.HeartbeatInterval * LivenessSweeper.LostAfterMissed;

    // The last pass tried a move, or paused or resumed rescheduling: its trace is worth keeping (LivenessMonitor).
    public bool LastPassActed { get; private set; }

    private bool _wasPaused;

    public async Task<int> PassAsync()
    {
        LastPassActed = false;
        var now = time.GetUtcNow();
        // The common case, nothing lost and no pause to lift, costs one read instead of a fleet listing.
        // A revoked container counts as lost: its node can no longer act, so its agents follow on_cluster_loss.
        var buckets = await totals.ReadAsync();
        if (buckets[ContainerStatus.Lost].Count + buckets[ContainerStatus.Revoked].Count == 0 && await pause.ReadAsync() is null)
        {
            state.Passed(now, false, null, 0);
            LastPassActed = _wasPaused;
            _wasPaused = false;
            return 0;
        }
        var all = await containers.ListAsync();
        var lost = all.Where(c => c.Status is ContainerStatus.Lost or ContainerStatus.Revoked).ToList();
        var lostAt = await LostAtAsync(lost);
        var paused = await pause.EvaluateAsync(all.Count, lostAt.Values, now, LostWindow);
        var moved = 0;
        if (paused is null)
        {
            var targets = all.Where(c => c.Status == ContainerStatus.Healthy && c.Eligibility != ContainerEligibility.Ineligible).ToDictionary(c => c.ContainerId);
            var load = targets.Values.ToDictionary(c => c.ContainerId, c => c.AssignedAgents);
            foreach (var container in lost.Where(c => now - lostAt[c.ContainerId] > scheduling.Value.RescheduleAfter))
                moved += await MoveAgentsOffAsync(container, targets, load);
        }
        state.Passed(now, paused is not null, paused?.Reason, moved);
        LastPassActed |= _wasPaused != (paused is not null);
        _wasPaused = paused is not null;
        return moved;
    }

    private async Task<int> MoveAgentsOffAsync(ContainerView lost, Dictionary<string, ContainerView> targets, Dictionary<string, int> load)
    {
        // Moves a manager left halfway (RescheduleScripts) are finished first: they are already off this container.
        var moved = await mover.FinishLeftoversAsync(lost.ContainerId);
        foreach (var entry in await redis.GetDatabase().HashGetAllAsync(RedisKeys.DesiredAgents(lost.ContainerId)))
        {
            var assignment = JsonSerializer.Deserialize(entry.Value.ToString(), ProtocolJsonContext.Default.Assignment);
            if (assignment is not { OnClusterLoss: ClusterLossPolicies.Reschedule }) continue;
            switch (await MoveOneAsync(assignment, lost, targets, load))
            {
                case AgentMover.Outcome.Moved: moved++; break;
                case AgentMover.Outcome.NotLost: return moved; // it came back: leave the rest where they are
            }
        }
        return moved;
    }

    // A drain's move (ContainerDrains): the agent's node stopped it; it goes to a healthy, eligible container of
    // the same fit, as a lost container's agent would.
    public Task<AgentMover.Outcome> MoveDrainedAsync(Assignment assignment, ContainerView from, IReadOnlyList<ContainerView> all, bool keepStopped)
    {
        var targets = all.Where(c => c.ContainerId != from.ContainerId && c.Status == ContainerStatus.Healthy && c.Eligibility != ContainerEligibility.Ineligible)
            .ToDictionary(c => c.ContainerId);
        var load = targets.Values.ToDictionary(c => c.ContainerId, c => c.AssignedAgents);
        return MoveOneAsync(assignment, from, targets, load, drain: true, keepStopped);
    }

    // Whether a drain's agent has somewhere to go now: it is not stopped while no healthy, eligible container that
    // fits it has a free slot (it would only sit stopped).
    public async Task<bool> HasRoomForDrainedAsync(Assignment assignment, ContainerView from, IReadOnlyList<ContainerView> all)
    {
        var fits = await FitsAsync(assignment, scheduling.Value.RequiredCapability(assignment.AgentType));
        return all.Any(c => c.ContainerId != from.ContainerId && c.Status == ContainerStatus.Healthy && c.Eligibility != ContainerEligibility.Ineligible
            && c.AssignedAgents < c.MaxAgents && fits(c));
    }

    private async Task<AgentMover.Outcome> MoveOneAsync(
        Assignment assignment, ContainerView lost, Dictionary<string, ContainerView> targets, Dictionary<string, int> load, bool drain = false,
        bool keepStopped = false)
    {
        var capability = scheduling.Value.RequiredCapability(assignment.AgentType);
        var fits = await FitsAsync(assignment, capability);
        var candidates = targets.Values
            .Where(fits)
            .Select(c => new PlacementCandidate(c.ContainerId, c.OrchestratorId(), load[c.ContainerId], c.MaxAgents, c.HealthScore))
            .ToList();
        foreach (var target in Strategy.Rank(candidates, 0))
        {
            LastPassActed = true;
            using var activity = RecoveryTelemetry.Source.StartActivity("reschedule agent");
            activity?.SetTag("agent.id", assignment.AgentId);
            activity?.SetTag("agent.epoch", assignment.Epoch + 1);
            activity?.SetTag("container.from", lost.ContainerId);
            activity?.SetTag("container.to", target.ContainerId);
            var outcome = await mover.MoveAsync(assignment, lost.ContainerId, target.ContainerId, target.OrchestratorId, activity?.Id, drain, keepStopped);
            activity?.SetTag("outcome", outcome.ToString());
            if (drain && outcome == AgentMover.Outcome.Moved)
            {
                telemetry.Moved();
                events.AgentDrained(assignment.AgentId, lost.ContainerId, target.ContainerId, target.OrchestratorId, assignment.Epoch + 1);
                logger.LogInformation("Drained agent {AgentId} off {From} to {To} with epoch {Epoch}", assignment.AgentId, lost.ContainerId, target.ContainerId, assignment.Epoch + 1);
                return outcome;
            }
            if (outcome is AgentMover.Outcome.Full or AgentMover.Outcome.Unavailable) continue;
            if (outcome == AgentMover.Outcome.Moved)
            {
                load[target.ContainerId]++;
                telemetry.Moved();
                events.AgentRescheduled(assignment.AgentId, lost.ContainerId, target.ContainerId, target.OrchestratorId, assignment.Epoch + 1);
                _reportedUnplaced.Remove(assignment.AgentId);
                logger.LogWarning("Rescheduled agent {AgentId} from lost container {From} ({FromName}) to {To} with epoch {Epoch}",
                    assignment.AgentId, lost.ContainerId, lost.ContainerName, target.ContainerId, assignment.Epoch + 1);
            }
            return outcome;
        }
        telemetry.Unplaced();
        if (_reportedUnplaced.Add(assignment.AgentId))
            logger.LogWarning("Agent {AgentId} on lost container {From} cannot be rescheduled yet: no healthy container offering " +
                "'{Capability}' has room; it stays there (shown unknown) and is retried every pass", assignment.AgentId, lost.ContainerId, capability);
        return AgentMover.Outcome.Full;
    }

    // The rule a target must meet: the agent's stored constraints (capabilities, labels, orchestrator_id) and
    // its tenant, so an agent never moves to another customer's container (issue 13). An agent placed before
    // constraints were stored keeps the old rule: its type's capability and agent_config.orchestrator_id.
    private async Task<Func<ContainerView, bool>> FitsAsync(Assignment assignment, string capability)
    {
        var stored = await redis.GetDatabase().HashGetAsync(RedisKeys.Agent(assignment.AgentId), [AgentFields.Constraints, AgentFields.Tenant]);
        if (AgentConstraints.Parse(stored[0]) is { } constraints)
        {
            var tenant = stored[1].ToString();
            return c => constraints.Capabilities.All(c.Capabilities.Contains) && c.HasLabels(constraints.Labels)
                && (constraints.OrchestratorId is null || c.OrchestratorId() == constraints.OrchestratorId)
                && (tenant.Length == 0 || c.OrchestratorId() == tenant);
        }
        var pinned = assignment.AgentConfig is { ValueKind: JsonValueKind.Object } config && config.TryGetProperty("orchestrator_id", out var pin)
            ? ContainerViewExtensions.JsonIdentifier(pin) : null;
        return c => c.Capabilities.Contains(capability) && (pinned is null || c.OrchestratorId() == pinned);
    }

    // lost_at of each lost container; a container lost before lost_at existed counts from its last heartbeat.
    private async Task<Dictionary<string, DateTimeOffset>> LostAtAsync(IReadOnlyList<ContainerView> lost)
    {
        var db = redis.GetDatabase();
        var reads = lost.Select(c => (c, db.HashGetAsync(RedisKeys.Container(c.ContainerId), ContainerFields.LostAt))).ToList();
        var result = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (container, read) in reads)
        {
            result[container.ContainerId] = (long?)await read is { } ms
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : container.LastHeartbeat + LostWindow;
        }
        return result;
    }
}
