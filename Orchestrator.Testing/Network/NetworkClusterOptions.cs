namespace Orchestrator.Testing.Network;

// The shape and timing of a NetworkCluster. The defaults are the failure tests' short intervals (heartbeat 1 s,
// unhealthy after 2 s, lost after 3 s, lease 3 s, reschedule 4 s after lost) and the WAN path.
public sealed record NetworkClusterOptions
{
    public int Customers { get; init; } = 2;
    public int MaxAgentsPerNode { get; init; } = 10;
    public int HeartbeatSeconds { get; init; } = 1;
    public TimeSpan LivenessCheckPeriod { get; init; } = TimeSpan.FromMilliseconds(500);
    // 3 s, not 2: a node fences its reschedule agents when no heartbeat was accepted for a lease, and with 2 s a
    // loaded CI machine stalling one beat by a second fenced agents in tests that were not about fencing.
    public TimeSpan AgentLease { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan RescheduleAfter { get; init; } = TimeSpan.FromSeconds(4);
    public WanProfile Wan { get; init; } = WanProfile.Default;

    // How long each process may take to answer /health (fifty .NET processes starting at once on two cores take a while).
    public TimeSpan StartupDeadline { get; init; } = TimeSpan.FromSeconds(90);

    // False: the manager is not started (StartManagerAsync later), e.g. to start nodes while it is unreachable.
    public bool StartManager { get; init; } = true;

    // Extra variables (or overrides) for the manager / every node.
    public Dictionary<string, string> ManagerEnvironment { get; init; } = [];
    public Dictionary<string, string> NodeEnvironment { get; init; } = [];

    public string ManagerDll { get; init; } = RepoPaths.ProjectOutput("Orchestrator.Manager");
    public string NodeDll { get; init; } = RepoPaths.ProjectOutput("Orchestrator.Agent");

    public TimeSpan LostAfter => TimeSpan.FromSeconds(3 * HeartbeatSeconds);
}
