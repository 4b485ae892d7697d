namespace Orchestrator.Manager.Agents;

// Field names of the agent hash (see RedisKeys), shared by C# and the Lua scripts.
public static class AgentFields
{
    public const string Id = "id";
    public const string Type = "type";
    public const string Config = "config";
    public const string Container = "container";
    public const string Orchestrator = "orchestrator";
    public const string Epoch = "epoch";
    public const string Policy = "policy";
    public const string Lease = "lease";
    public const string Deployment = "deployment";
    public const string CreatedAt = "created_at";
    public const string Traceparent = "traceparent";
    public const string Assignment = "assignment";
    public const string ReportedState = "reported_state";
    public const string ReportedAt = "reported_at";
    public const string StartedAt = "started_at";
    public const string Restarts = "restarts";
    public const string Error = "error";
    // A container agent's image digest as its node last reported it (kept in the container's reports hash).
    public const string ImageDigest = "image_digest";
    // From the last report, while blocked_by_lock (issue 25).
    public const string LockWaitedSeconds = "lock_waited_seconds";
    // Issue 13: the tenant the agent is bound to ("" = none) and its constraints JSON (Scheduling/AgentConstraints).
    public const string Tenant = "tenant";
    public const string Constraints = "constraints";
}
