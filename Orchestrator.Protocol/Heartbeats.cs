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
    long? Failures = null,
    // issue 27: optional, as on registration (NodeProtocol).
    string? NodeVersion = null,
    int? ProtocolVersion = null);

// The node's live readings, as Orchestrator.Agent sends them in `resources`.
public sealed record HeartbeatResources(int CpuCount, double CpuPercent, long MemoryUsed, long MemoryLimit, int ProcessCount);

// recommended_node_version (issue 27): present only when the node's node_version is older than the build the
// manager recommends and its tenant's maintenance window is open now. Advice only: upgrading stays with the
// customer's own tooling.
public sealed record HeartbeatResponse(string Status, string ContainerStatus, int HeartbeatInterval, string? RecommendedNodeVersion = null);
