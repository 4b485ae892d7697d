using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Events;

// A change to record: the tenant may still be unknown when the hook only knows the container (EventWriter
// looks it up). Time is when it happened on this replica; Cause is the span it happened under (a deploy call,
// a liveness pass), so writing it to the stream joins that trace instead of starting one of its own.
public sealed record PendingEvent(string Type, DateTimeOffset Time, string? Tenant, string? ContainerId = null, string? AgentId = null,
    string? DeploymentId = null, string? State = null, string? Detail = null, System.Diagnostics.ActivityContext Cause = default,
    NodeMark? Node = null);

// An event that is a node's own decision, from its journal (issue 29): its clock, its last contact before, its sequence.
public sealed record NodeMark(DateTimeOffset NodeTime, DateTimeOffset? OfflineSince, long Sequence);

// The one place the manager records what changed, for the live event stream. Each hook is one call at the
// point of change that only queues (never awaits Redis, never throws), so an API call is no slower and no
// less reliable for being observed; EventWriter appends the queue to the Redis stream in order.
public sealed class EventLog(TimeProvider time, IOptions<EventsOptions> options, EventsTelemetry telemetry)
{
    private readonly Channel<PendingEvent> _queue = Channel.CreateBounded<PendingEvent>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
    });

    public ChannelReader<PendingEvent> Pending => _queue.Reader;

    public void ContainerRegistered(string containerId, string? tenant, bool created) =>
        Add(ManagerEventTypes.ContainerRegistered, tenant, containerId, state: ContainerStatus.Healthy, detail: created ? "new" : "registered again");

    // A heartbeat from a container that was not healthy.
    public void ContainerRecovered(string containerId, string? statusBefore)
    {
        if (statusBefore is not null && statusBefore != ContainerStatus.Healthy)
            Add(ManagerEventTypes.ContainerStatusChanged, null, containerId, state: ContainerStatus.Healthy, detail: $"was {statusBefore}");
    }

    public void ContainerStatusChanged(IEnumerable<StatusChange> changes)
    {
        foreach (var change in changes) Add(ManagerEventTypes.ContainerStatusChanged, null, change.ContainerId, state: change.Status, detail: "missed heartbeats");
    }

    public void ContainerRevoked(string containerId) =>
        Add(ManagerEventTypes.ContainerRevoked, null, containerId, state: ContainerStatus.Revoked);

    public void ContainerEligibilityChanged(string containerId, string tenant, string eligibility, string? reason) =>
        Add(ManagerEventTypes.ContainerEligibilityChanged, tenant, containerId, state: eligibility, detail: reason);

    public void Deployed(DeployResponse deployed)
    {
        foreach (var tenant in deployed.Agents.Select(a => a.OrchestratorId).Distinct(StringComparer.Ordinal))
            Add(ManagerEventTypes.DeployAccepted, tenant, deploymentId: deployed.DeploymentId, detail:
                $"{deployed.Agents.Count(a => a.OrchestratorId == tenant)} {deployed.AgentType} ({deployed.DeploymentStrategy})");
        foreach (var agent in deployed.Agents)
            Add(ManagerEventTypes.AgentPlaced, agent.OrchestratorId, agent.ContainerId, agent.AgentId, deployed.DeploymentId, agent.State);
    }

    // What a node reported, compared with what its agents showed before: one event per agent whose state changed.
    public void AgentsReported(string containerId, IReadOnlyList<ReportedAgent> reported, IReadOnlyDictionary<string, AgentBefore> before)
    {
        foreach (var agent in reported)
        {
            if (agent.AgentId is null || !before.TryGetValue(agent.AgentId, out var was) || was.ReportedState == agent.State) continue;
            var fenced = agent.State == AgentStates.Stopped && agent.Error?.StartsWith("fenced:", StringComparison.Ordinal) == true;
            Add(fenced ? ManagerEventTypes.AgentFenced : ManagerEventTypes.AgentStateChanged, was.Tenant, containerId, agent.AgentId,
                was.DeploymentId, agent.State, agent.Error);
        }
    }

    public void AgentStopped(string agentId, string? containerId, string detail = "stopped by an operator") =>
        Add(ManagerEventTypes.AgentStopped, null, containerId, agentId, state: AgentStates.Stopped, detail: detail);

    public void AgentRescheduled(string agentId, string from, string to, string toTenant, long epoch) =>
        Add(ManagerEventTypes.AgentRescheduled, toTenant, to, agentId, state: AgentStates.Assigned, detail: $"from lost container {from}, epoch {epoch}");

    // Issue 25: a deployment's state, revision or progress changed (detail: what it is doing now).
    public void DeploymentChanged(string? tenant, string deploymentId, string state, string? detail) =>
        Add(ManagerEventTypes.DeploymentChanged, tenant, deploymentId: deploymentId, state: state, detail: detail);

    public void AgentRestarted(string agentId, string containerId, string tenant, long epoch, bool force) =>
        Add(ManagerEventTypes.AgentRestarted, tenant, containerId, agentId, state: AgentStates.Assigned,
            detail: $"restarted in place, epoch {epoch}" + (force ? ", forced past its update lock" : ""));
    public void ContainerDrain(string containerId, string tenant, DrainProgress drain) =>
        Add(ManagerEventTypes.ContainerDrain, tenant, containerId, state: drain.State,
            detail: $"moved {drain.Moved}, remaining {drain.Remaining}, moving {drain.Moving.Count}, blocked by lock {drain.Blocked}"
                + (drain.WaitingForCapacity > 0 ? $", waiting_for_capacity {drain.WaitingForCapacity}" : "")
                + (drain.WaitingForWindow ? $", {MaintenanceStates.WaitingForWindow}" : ""));

    // reason: why the manager forced it on its own (a drain's deadline passed), after "forced: ".
    public void AgentDesiredStateChanged(string agentId, string containerId, string tenant, string desiredState, bool force, string? reason = null) =>
        Add(ManagerEventTypes.AgentDesiredStateChanged, tenant, containerId, agentId, state: desiredState,
            detail: force ? (reason is null ? "forced" : $"forced: {reason}") : null);

    public void AgentDrained(string agentId, string from, string to, string toTenant, long epoch) =>
        Add(ManagerEventTypes.AgentRescheduled, toTenant, to, agentId, state: AgentStates.Assigned, detail: $"drained off {from}, epoch {epoch}");

    public void ReschedulingPaused(string reason) => Add(ManagerEventTypes.ReschedulingPaused, null, detail: reason);

    public void ReschedulingResumed() => Add(ManagerEventTypes.ReschedulingResumed, null);

    // The node's journal (issue 29): a decision it made on its own (state: its kind), shown in the agent's history
    // with the node's clock; and a journal whose chain is broken.
    public void NodeDecision(string containerId, string tenant, string? agentId, string kind, string detail, NodeMark mark) =>
        Add(ManagerEventTypes.NodeDecision, tenant, containerId, agentId, state: kind, detail: detail, node: mark);

    public void NodeJournalTampered(string containerId, string tenant, string reason) =>
        Add(ManagerEventTypes.NodeJournalTampered, tenant, containerId, detail: reason);

    private void Add(string type, string? tenant, string? containerId = null, string? agentId = null, string? deploymentId = null,
        string? state = null, string? detail = null, NodeMark? node = null)
    {
        if (!_queue.Writer.TryWrite(new PendingEvent(type, time.GetUtcNow(), tenant, containerId, agentId, deploymentId, state, detail,
            System.Diagnostics.Activity.Current?.Context ?? default, node)))
            telemetry.Dropped();
    }
}

// An agent as it was before a report: its last reported state, and who it belongs to.
public sealed record AgentBefore(string? ReportedState, string? Tenant, string? DeploymentId);
