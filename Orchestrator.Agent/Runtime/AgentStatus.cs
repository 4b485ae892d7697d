using System.Text.Json.Nodes;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Runtime;

// One agent as this node sees it: what the local API (NodeAgent) and the manager (ReportedAgent) are told.
// State is one of Protocol's AgentStates.
public sealed record AgentStatus(
    string AgentId,
    string AgentType,
    string State,
    DateTimeOffset? StartedAt,
    int Restarts,
    string? LastError,
    long Epoch,
    JsonObject Figures,
    string? ImageDigest = null,
    // While blocked_by_lock: how long its stop has waited for its update lock so far.
    int? LockWaitedSeconds = null)
{
    public ReportedAgent ToReported() => new(AgentId, State, Epoch, Restarts, LastError, StartedAt, ImageDigest, LockWaitedSeconds);

    // Counts as active_agents in the heartbeat.
    public bool IsActive => State is AgentStates.Running or AgentStates.Starting or AgentStates.Unhealthy or AgentStates.BlockedByLock;
}
