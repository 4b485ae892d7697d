using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Orchestrator.Agent.Connection;

// docs/protocol.md, "Assignments" and "Agent state reports", as this node reads and sends them.
public sealed record AssignmentMessage(
    string AgentId,
    string AgentType,
    JsonObject? AgentConfig,
    long Epoch,
    string? OnClusterLoss,
    int? LeaseSeconds,
    string? Traceparent);

public sealed record AssignmentsResponse(string ContainerId, long Generation, IReadOnlyList<AssignmentMessage> Assignments);

public sealed record ReportedAgentState(string AgentId, string State, long Epoch, int Restarts, string? Error, DateTimeOffset? StartedAt);

public sealed record AgentReportRequest(string ContainerId, long Generation, IReadOnlyList<ReportedAgentState> Agents);

public sealed record RejectedAgentMessage(string AgentId, string Reason);

public sealed record AgentReportResponse(IReadOnlyList<string> Accepted, IReadOnlyList<RejectedAgentMessage> Rejected);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AssignmentsResponse))]
[JsonSerializable(typeof(AgentReportRequest))]
[JsonSerializable(typeof(AgentReportResponse))]
public sealed partial class AssignmentJsonContext : JsonSerializerContext;
