using System.Text.Json;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Protocol;

// One entry of a container's desired state, as the long-poll delivers it. epoch is the fencing token.
// secret_values: the values of the secrets its agent_config references (secret name -> value), added by the manager
// at answer time for the one node holding the agent's current epoch; never stored with the assignment (null when none).
public sealed record Assignment(
    string AgentId,
    string AgentType,
    JsonElement AgentConfig,
    long Epoch,
    string OnClusterLoss,
    int? LeaseSeconds,
    string? Traceparent,
    // The deploy's signature, forwarded unchanged (also when the agent is rescheduled); the node checks it.
    SpecSignature? Signature = null,
    // The values of the secrets this agent references, added at answer time for the node holding it; never stored.
    IReadOnlyDictionary<string, string>? SecretValues = null,
    // What the node should do with the agent (AgentStates.Running when null, or AgentStates.Stopped: stop it and keep
    // its data, as a drain does before the agent moves). Issues 25 and 27.
    string? DesiredState = null,
    // The operator's force: stop, restart or update without waiting for the agent's update lock (issue 25).
    bool? Force = null,
    // The deployment the agent belongs to and the revision of its spec (null for agents placed before deployments).
    string? DeploymentId = null,
    long? Revision = null);

// Always the full desired state (level-triggered); generation grows with every change. retry_after (seconds) is
// set only by a manager that is shutting down (null otherwise): poll again after that long, and heartbeat once it answers again.
public sealed record AssignmentsResponse(
    string ContainerId, long Generation, IReadOnlyList<Assignment> Assignments,
    int? RetryAfter = null);

public sealed record AgentReportRequest(string? ContainerId, long? Generation, IReadOnlyList<ReportedAgent>? Agents);

// An agent as its node sees it: the same record in a heartbeat's `agents` and in an agent report.
// image_digest: the exact image a `container` agent runs (the digest its node pulled), null for other types.
public sealed record ReportedAgent(
    string? AgentId, string? State, long? Epoch, int? Restarts, string? Error, DateTimeOffset? StartedAt, string? ImageDigest = null,
    // While state is blocked_by_lock: how long the node has waited for the agent's update lock (seconds).
    int? LockWaitedSeconds = null);

public sealed record RejectedAgent(string AgentId, string Reason);

// The node stops every rejected agent at once: it was deleted, or placed elsewhere under a newer epoch.
public sealed record AgentReportResponse(IReadOnlyList<string> Accepted, IReadOnlyList<RejectedAgent> Rejected);
