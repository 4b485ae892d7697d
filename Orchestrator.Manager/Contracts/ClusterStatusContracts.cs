namespace Orchestrator.Manager.Contracts;

public sealed record ClusterStatusResponse(
    bool RedisReachable,
    int TotalContainers,
    IReadOnlyDictionary<string, int> ContainersByStatus,
    int TotalCapacity,
    int AgentsInUse,
    int AvailableCapacity,
    int HeartbeatInterval,
    DateTimeOffset CheckedAt);
