namespace Orchestrator.Manager.Contracts;

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
    string NodeAuthentication = "enrollment");
