namespace Orchestrator.Protocol;

// One entry of the live event stream (GET /api/v1/events, text/event-stream; docs/protocol.md "Events").
// id is the Redis stream entry id: the SSE `id:` line, sent back as Last-Event-ID to resume without gaps.
// tenant is the orchestrator_id the event concerns; null for fleet-wide events (rescheduling paused/resumed).
// The other fields are set when the event has them: state is the new status or state, detail a short reason.
// origin "node": a decision the node made on its own, from its journal (issue 29), with node_time (the node's clock),
// offline_since (its last contact with the manager before) and journal_sequence; null on the manager's own events.
public sealed record ManagerEvent(
    string Id,
    string Type,
    DateTimeOffset Time,
    string? Tenant,
    string? ContainerId = null,
    string? AgentId = null,
    string? DeploymentId = null,
    string? State = null,
    string? Detail = null,
    string? Origin = null,
    DateTimeOffset? NodeTime = null,
    DateTimeOffset? OfflineSince = null,
    long? JournalSequence = null);

// The SSE `event:` names, one per kind of change.
public static class ManagerEventTypes
{
    public const string ContainerRegistered = "container.registered";
    public const string ContainerStatusChanged = "container.status_changed";
    public const string ContainerRevoked = "container.revoked";
    public const string ContainerEligibilityChanged = "container.eligibility_changed";
    public const string AgentPlaced = "agent.placed";
    public const string AgentStateChanged = "agent.state_changed";
    public const string AgentRescheduled = "agent.rescheduled";
    public const string AgentFenced = "agent.fenced";
    public const string AgentStopped = "agent.stopped";
    public const string DeployAccepted = "deploy.accepted";
    public const string ReschedulingPaused = "rescheduling.paused";
    public const string ReschedulingResumed = "rescheduling.resumed";
    // Issue 25: a deployment's state, revision or counts changed (created, updated, a batch, promote, pause, revert).
    public const string DeploymentChanged = "deployment.changed";
    public const string AgentRestarted = "agent.restarted";
    // Drain and stop/start (issues 25, 27).
    public const string ContainerDrain = "container.drain";
    public const string AgentDesiredStateChanged = "agent.desired_state_changed";
    // The node's journal (issue 29): one per entry it uploads (state: the entry's kind), and a broken chain.
    public const string NodeDecision = "node.decision";
    public const string NodeJournalTampered = "node.journal_tampered";

    public static readonly IReadOnlyList<string> All =
    [
        ContainerRegistered, ContainerStatusChanged, ContainerRevoked, ContainerEligibilityChanged, AgentPlaced, AgentStateChanged, AgentRescheduled,
        AgentFenced, AgentStopped, DeployAccepted, ReschedulingPaused, ReschedulingResumed,
        DeploymentChanged, AgentRestarted,
        ContainerDrain, AgentDesiredStateChanged,
        NodeDecision, NodeJournalTampered,
    ];
}
