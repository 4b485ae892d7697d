using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Cluster;

// The shape and timing of a ProcessCluster. Defaults are the short intervals failure tests use:
// heartbeat 1 s (unhealthy after 2 s, lost after 3 s), lease 3 s, reschedule 4 s after lost.
public sealed record ProcessClusterOptions
{
    public int Managers { get; init; } = 1;
    public int Orchestrators { get; init; } = 2;
    public int MaxAgentsPerOrchestrator { get; init; } = 10;
    public int HeartbeatSeconds { get; init; } = 1;
    public TimeSpan LivenessCheckPeriod { get; init; } = TimeSpan.FromMilliseconds(500);
    // 3 s, not 2: a node fences its reschedule agents when no heartbeat was accepted for a lease, and with 2 s a
    // loaded CI machine stalling one beat by a second fenced agents in tests that were not about fencing.
    public TimeSpan AgentLease { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan RescheduleAfter { get; init; } = TimeSpan.FromSeconds(4);

    // AGENT_CONFIG's capabilities for every orchestrator: what its operator offers (add "container" together with a
    // DOCKER_HOST in OrchestratorEnvironment; the node still advertises it only while that engine answers).
    public IReadOnlyList<string> NodeCapabilities { get; init; } = ["agent_runner", "orchestrator_cluster"];

    // Extra variables (or overrides) for every manager / orchestrator process, e.g. "Scheduling__Strategy".
    public Dictionary<string, string> ManagerEnvironment { get; init; } = [];
    public Dictionary<string, string> OrchestratorEnvironment { get; init; } = [];
    // Variables for one orchestrator only (by its 1-based index), applied after OrchestratorEnvironment.
    public Dictionary<int, Dictionary<string, string>> OrchestratorEnvironmentOf { get; init; } = [];

    // The built services to run: by default the ones next to the tests; bench passes its Release builds.
    public string ManagerDll { get; init; } = RepoPaths.ProjectOutput("Orchestrator.Manager");
    public string NodeDll { get; init; } = RepoPaths.ProjectOutput("Orchestrator.Agent");

    public RedisHostOptions Redis { get; init; } = new();

    // 0: one redis-server (Redis above). N > 0: a Redis Cluster of N masters instead (RedisClusterHost), so
    // the same scenario runs on both engines the manager supports.
    public int RedisClusterMasters { get; init; }

    // Orchestrators dial manager-1 directly instead of through their own TcpRelay link: no extra hop when
    // measuring latency, but no partitions (CutOffFromManager) and no failover between replicas.
    public bool DirectToManagers { get; init; }

    // When a container counts as lost on the manager: 3 missed heartbeat intervals.
    public TimeSpan LostAfter => TimeSpan.FromSeconds(3 * HeartbeatSeconds);
}
