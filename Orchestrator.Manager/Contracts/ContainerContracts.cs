using System.Text.Json;

namespace Orchestrator.Manager.Contracts;

// Fields are nullable so a missing one is reported by name instead of defaulting silently.
public sealed record RegisterContainerRequest(
    string? ContainerName,
    string? HostAddress,
    int? ApiPort,
    IReadOnlyList<string>? Capabilities,
    JsonElement? Resources,
    JsonElement? Metadata,
    int? MaxAgents);

public sealed record RegisterContainerResponse(string ContainerId, string ContainerName, string Status, int HeartbeatInterval);

public sealed record HeartbeatRequest(
    string? ContainerId,
    double? HealthScore,
    JsonElement? Resources,
    int? ActiveAgents,
    JsonElement? Agents,
    double? RoundTripMs = null,
    long? Failures = null);

public sealed record HeartbeatResponse(string Status, string ContainerStatus, int HeartbeatInterval);

public sealed record ContainerView(
    string ContainerId,
    string ContainerName,
    string HostAddress,
    int ApiPort,
    IReadOnlyList<string> Capabilities,
    JsonElement Resources,
    JsonElement Metadata,
    string Status,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastHeartbeat,
    double HealthScore,
    int ActiveAgents,
    int MaxAgents,
    JsonElement? Usage,
    int AssignedAgents = 0);

// One page of containers. next_cursor is null on the last page; pass it back as ?cursor= for the next.
public sealed record ContainerListResponse(IReadOnlyList<ContainerView> Containers, int Count, string? NextCursor = null);
