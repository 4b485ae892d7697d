using System.Text.Json.Serialization;

namespace Orchestrator.Agent.Connection;

// The node's own records for docs/protocol.md; snake_case comes from ManagerJsonContext.
public sealed record TokenRequest(string Username, string Password, string ContainerName);

public sealed record TokenResponse(string AccessToken, string? TokenType, int? ExpiresIn, string? Role);

public sealed record ContainerResources(int CpuCount, long MemoryLimit);

public sealed record RegistrationRequest(
    string ContainerName,
    string HostAddress,
    int ApiPort,
    IReadOnlyList<string> Capabilities,
    ContainerResources Resources,
    IReadOnlyDictionary<string, string> Metadata,
    int MaxAgents);

public sealed record RegistrationResponse(string ContainerId, string? ContainerName, string? Status, double? HeartbeatInterval);

public sealed record HeartbeatResources(int CpuCount, double CpuPercent, long MemoryUsed, long MemoryLimit, int ProcessCount);

public sealed record HeartbeatAgent(string AgentId, string State, long Epoch, int Restarts, string? Error);

public sealed record HeartbeatRequest(
    string ContainerId,
    double HealthScore,
    HeartbeatResources Resources,
    int ActiveAgents,
    IReadOnlyList<HeartbeatAgent> Agents,
    double? RoundTripMs = null,
    long Failures = 0);

public sealed record HeartbeatResponse(string? Status, string? ContainerStatus, double? HeartbeatInterval);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistrationRequest))]
[JsonSerializable(typeof(RegistrationResponse))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
public sealed partial class ManagerJsonContext : JsonSerializerContext;
