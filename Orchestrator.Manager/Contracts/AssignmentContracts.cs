using System.Text.Json;

namespace Orchestrator.Manager.Contracts;

// One entry of a container's desired state, exactly as the orchestrator receives it (docs/protocol.md).
public sealed record Assignment(
    string AgentId,
    string AgentType,
    JsonElement AgentConfig,
    long Epoch,
    string OnClusterLoss,
    int? LeaseSeconds,
    string? Traceparent);

public sealed record AssignmentsResponse(string ContainerId, long Generation, IReadOnlyList<Assignment> Assignments);

public sealed record AgentReportRequest(string? ContainerId, long? Generation, IReadOnlyList<ReportedAgent>? Agents);

public sealed record ReportedAgent(
    string? AgentId, string? State, long? Epoch, int? Restarts, string? Error, DateTimeOffset? StartedAt);

public sealed record RejectedAgent(string AgentId, string Reason);

public sealed record AgentReportResponse(IReadOnlyList<string> Accepted, IReadOnlyList<RejectedAgent> Rejected);
