namespace Orchestrator.Protocol;

// A node's agents go pending -> starting -> running -> stopping -> stopped, or failed.
// The manager adds two of its own: assigned (its node has not reported yet) and unknown (its container is lost).
public static class AgentStates
{
    public const string Pending = "pending";
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Failed = "failed";

    public const string Assigned = "assigned";
    public const string Unknown = "unknown";

    // What a node may report.
    public static readonly IReadOnlySet<string> Reportable =
        new HashSet<string>([Pending, Starting, Running, Stopping, Stopped, Failed], StringComparer.Ordinal);
}
