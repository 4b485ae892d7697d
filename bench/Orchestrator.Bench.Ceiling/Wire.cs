using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Bench.Ceiling;

public sealed record TokenRequest(string Username, string Password, string? ContainerName);
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Role);

public sealed record RegisterRequest(string ContainerName, string HostAddress, int ApiPort,
    IReadOnlyList<string>? Capabilities, Dictionary<string, JsonElement>? Resources,
    Dictionary<string, JsonElement>? Metadata, int? MaxAgents);
public sealed record RegisterResponse(string ContainerId, string ContainerName, string Status, int HeartbeatInterval);

public sealed record HeartbeatResources(int CpuCount, double CpuPercent, long MemoryUsed, long MemoryLimit, int ProcessCount);
public sealed record AgentStatus(string AgentId, string State, long Epoch, int Restarts, string? Error);
public sealed record HeartbeatRequest(string ContainerId, double HealthScore, HeartbeatResources? Resources,
    int ActiveAgents, IReadOnlyList<AgentStatus>? Agents);
public sealed record HeartbeatResponse(string Status, string ContainerStatus, int HeartbeatInterval);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
internal sealed partial class CeilingJsonContext : JsonSerializerContext;
