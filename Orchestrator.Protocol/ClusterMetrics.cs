namespace Orchestrator.Protocol;

public sealed record ClusterStatusResponse(
    bool RedisReachable,
    int TotalContainers,
    IReadOnlyDictionary<string, int> ContainersByStatus,
    int TotalCapacity,
    int AgentsInUse,
    int AvailableCapacity,
    int HeartbeatInterval,
    DateTimeOffset CheckedAt,
    // Mass-disconnect safety (docs/protocol.md "Fencing"): true while more than half of the containers are lost.
    bool ReschedulingPaused = false,
    string? ReschedulingPausedReason = null,
    // "enrollment" (each node has its own credential) or "shared_password" (ALLOW_SHARED_PASSWORD_NODES: the seed's flow).
    string NodeAuthentication = "enrollment",
    // Who holds rescheduling, why and until when; null while it runs.
    ReschedulingPauseView? ReschedulingPause = null);

// POST /api/v1/cluster/rescheduling/pause (admin): note says why; expires_at (optional) ends the pause by itself.
public sealed record PauseReschedulingRequest(string? Note, DateTimeOffset? ExpiresAt);

// kind: "automatic" (mass-disconnect safety) or "operator"; by: the operator, or "automatic"; until: null when the
// pause lasts until resumed (or, automatic, until no more than half of the containers are lost).
public sealed record ReschedulingPauseView(string Kind, string Reason, string By, string? Note, DateTimeOffset Since, DateTimeOffset? Until);

// cpus_reserved/memory_mb_reserved: what container agents placed here ask for (resources.cpus, memory_mb);
// cpus_total/memory_mb_total: what the node registered (resources.cpu_count, memory_limit in MB).
public sealed record ContainerDistribution(
    string ContainerId, string ContainerName, string OrchestratorId, string Status,
    int Agents, int Running, int MaxAgents, double Utilization,
    double CpusReserved = 0, double CpusTotal = 0, long MemoryMbReserved = 0, long MemoryMbTotal = 0);

public sealed record OrchestratorDistribution(
    string OrchestratorId, int Containers, int Agents, int Running, int Capacity, double Utilization,
    double CpusReserved = 0, double CpusTotal = 0, long MemoryMbReserved = 0, long MemoryMbTotal = 0);

public sealed record DistributionResponse(
    IReadOnlyList<ContainerDistribution> Containers,
    IReadOnlyList<OrchestratorDistribution> Orchestrators,
    int TotalAgents,
    int TotalCapacity);

public sealed record ContainerCommunication(
    string ContainerId, string ContainerName, string Status,
    long HeartbeatsReceived, double? LastRoundTripMs, DateTimeOffset LastHeartbeat,
    long AssignmentDeliveries, long Failures, long Reconnects);

public sealed record CommunicationTotals(
    long HeartbeatsReceived, long AssignmentDeliveries, long Failures, long Reconnects);

public sealed record CommunicationStatsResponse(IReadOnlyList<ContainerCommunication> Containers, CommunicationTotals Totals);
