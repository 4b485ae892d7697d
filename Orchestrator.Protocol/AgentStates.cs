namespace Orchestrator.Protocol;

// The one agent-state vocabulary of both sides (the wire strings).
// A node's agents go pending -> starting -> running -> stopping -> stopped, or failed; a running agent whose
// health check fails is unhealthy, and one whose container engine does not answer is unknown.
// The manager adds assigned (its node has not reported yet) and shows unknown while the agent's node is lost.
public static class AgentStates
{
    public const string Pending = "pending";
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Failed = "failed";
    public const string Unhealthy = "unhealthy";
    // Refused by the node's signature check (SPEC_SIGNATURES=require): nothing runs; last_error names the failed check.
    public const string Rejected = "rejected";
    // A stop, restart, update or drain waits while the agent holds its update lock (/data/.orchestrator/update.lock),
    // up to max_lock_seconds; lock_waited_seconds says for how long so far.
    public const string BlockedByLock = "blocked_by_lock";

    public const string Assigned = "assigned";
    public const string Unknown = "unknown";

    // What a node may report.
    public static readonly IReadOnlySet<string> Reportable =
        new HashSet<string>([Pending, Starting, Running, Stopping, Stopped, Failed, Unhealthy, Unknown, Rejected, BlockedByLock], StringComparer.Ordinal);
}
