using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Validation.Http;

// The parts of the public API (seed paths, snake_case fields; docs/protocol.md) the phases read.
public sealed record HealthResponse(string Status, Dictionary<string, HealthEntry>? Checks);

public sealed record HealthEntry(string Status, string? Description);

public sealed record TokenRequest(string Username, string Password);

public sealed record TokenResponse(string AccessToken, string? Role);

public sealed record ContainerList(IReadOnlyList<ContainerInfo> Containers, int Count);

public sealed record ContainerInfo(
    string ContainerId, string ContainerName, string HostAddress, int ApiPort, IReadOnlyList<string>? Capabilities,
    JsonElement Metadata, string Status, DateTimeOffset LastHeartbeat, int ActiveAgents, int MaxAgents)
{
    public string? OrchestratorId =>
        Metadata.ValueKind == JsonValueKind.Object && Metadata.TryGetProperty("orchestrator_id", out var id)
            ? id.ValueKind == JsonValueKind.String ? id.GetString() : id.GetRawText()
            : null;
}

public sealed record CommunicationStats(IReadOnlyList<ContainerCommunication> Containers);

public sealed record ContainerCommunication(
    string ContainerId, string ContainerName, string Status, long HeartbeatsReceived, long AssignmentDeliveries,
    long Failures, long Reconnects, DateTimeOffset LastHeartbeat);

public sealed record DeployRequest(string AgentType, JsonObject AgentConfig, string DeploymentStrategy, string OnClusterLoss);

public sealed record DeployResponse(string DeploymentId, IReadOnlyList<PlacedAgent> Agents);

public sealed record PlacedAgent(string AgentId, string ContainerId, string OrchestratorId, string State, long Epoch);

public sealed record ManagerAgent(string AgentId, string ContainerId, string OrchestratorId, string State, string? ReportedState, int Restarts);

public sealed record LocalAgentList(int Count, int MaxAgents, IReadOnlyList<LocalAgent> Agents);

public sealed record LocalAgent(
    string AgentId, string AgentType, string State, DateTimeOffset? StartedAt, int Restarts, string? LastError, long Epoch, JsonObject? Figures);
