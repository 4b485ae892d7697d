using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Bench.Protocol;

// The simulator's own records for docs/protocol.md, as a customer's orchestrator would write them.
public sealed record TokenRequest(string Username, string Password, string? ContainerName);
public sealed record TokenResponse(string AccessToken, string? TokenType, int? ExpiresIn, string? Role);

public sealed record ContainerResources(int CpuCount, long MemoryLimit);
public sealed record RegistrationRequest(string ContainerName, string HostAddress, int ApiPort,
    IReadOnlyList<string> Capabilities, ContainerResources Resources, IReadOnlyDictionary<string, string> Metadata, int MaxAgents);
public sealed record RegistrationResponse(string ContainerId, string? ContainerName, string? Status, double? HeartbeatInterval);

public sealed record HeartbeatResources(int CpuCount, double CpuPercent, long MemoryUsed, long MemoryLimit, int ProcessCount);
public sealed record AgentState(string AgentId, string State, long Epoch, int Restarts, string? Error);
public sealed record HeartbeatRequest(string ContainerId, double HealthScore, HeartbeatResources Resources,
    int ActiveAgents, IReadOnlyList<AgentState> Agents);

public sealed record Assignment(string AgentId, string AgentType, long Epoch);
public sealed record AssignmentsResponse(string ContainerId, long Generation, IReadOnlyList<Assignment> Assignments);

public sealed record ReportedAgent(string AgentId, string State, long Epoch, int Restarts, string? Error, DateTimeOffset? StartedAt);
public sealed record AgentsReport(string ContainerId, long Generation, IReadOnlyList<ReportedAgent> Agents);
public sealed record AgentsReportResponse(IReadOnlyList<string> Accepted, IReadOnlyList<JsonElement>? Rejected);

public sealed record DeployRequest(string AgentType, IReadOnlyDictionary<string, string> AgentConfig, string DeploymentStrategy);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistrationRequest))]
[JsonSerializable(typeof(RegistrationResponse))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(AssignmentsResponse))]
[JsonSerializable(typeof(AgentsReport))]
[JsonSerializable(typeof(AgentsReportResponse))]
[JsonSerializable(typeof(DeployRequest))]
public sealed partial class WireJson : JsonSerializerContext;
