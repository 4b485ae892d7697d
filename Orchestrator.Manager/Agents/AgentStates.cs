namespace Orchestrator.Manager.Agents;

public static class AgentStates
{
    // Placed by the manager; its orchestrator has not reported it yet.
    public const string Assigned = "assigned";
    // Its container is lost: nobody can say whether it still runs.
    public const string Unknown = "unknown";
    public const string Running = "running";

    // What an orchestrator may report (docs/protocol.md).
    public static readonly IReadOnlySet<string> Reportable =
        new HashSet<string>(["pending", "starting", "running", "stopping", "stopped", "failed"], StringComparer.Ordinal);
}

public static class ClusterLossPolicies
{
    public const string Keep = "keep";
    public const string Reschedule = "reschedule";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([Keep, Reschedule], StringComparer.Ordinal);
}
