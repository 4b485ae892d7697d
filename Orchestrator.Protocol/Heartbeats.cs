using System.Text.Json;

namespace Orchestrator.Protocol;

// Nullable so the manager names what is missing; resources and agents stay raw JSON on the manager,
// which stores them as sent (the seed's own heartbeat sends resources of its own making).
public sealed record HeartbeatRequest(
    string? ContainerId,
    double? HealthScore,
    [property: WireShape(typeof(HeartbeatResources))] JsonElement? Resources,
    int? ActiveAgents,
    [property: WireShape(typeof(IReadOnlyList<ReportedAgent>))] JsonElement? Agents = null,
    double? RoundTripMs = null,
    long? Failures = null);

// The node's live readings, as Orchestrator.Agent sends them in `resources`.
public sealed record HeartbeatResources(int CpuCount, double CpuPercent, long MemoryUsed, long MemoryLimit, int ProcessCount);

public sealed record HeartbeatResponse(string Status, string ContainerStatus, int HeartbeatInterval);
