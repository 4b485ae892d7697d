using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// The one place that names Redis keys. Layout (all under "orchestrator:"):
//   container:{id}            hash   one container: id, name, host, port, capabilities, resources, metadata,
//                                    max_agents, status, registered_at, last_heartbeat (unix ms), health_score,
//                                    active_agents, usage, reported_agents, assigned_agents, generation
//   containers                set    every container id
//   containers:by-name        hash   container_name -> id (re-registering keeps the id)
//   containers:totals         hash   per status: count:{s}, max:{s} (sum of max_agents), active:{s} (sum of active_agents),
//                                    kept by the register/heartbeat/delete/sweep scripts so status reads are O(1)
//   containers:by-heartbeat   zset   id scored by last heartbeat (unix ms): liveness scans only the stale ones
//   container:{id}:desired    hash   (agents issue) agent_id -> assignment JSON; bumps container's generation
//   container:{id}:changed    channel (agents issue) published on every generation bump, for long-polls
//   agent:{id}                hash   one placed agent: type, config, container, orchestrator, epoch, policy, lease,
//                                    assignment JSON, and what its orchestrator last reported (see AgentFields)
//   agents                    set    every agent id
//   idempotency:{key}         string a deploy's response under its Idempotency-Key (24 h)
//   scheduler:sequence        string counter shared by every replica's round_robin rotation
//   login-failures:{client}   string failed logins from one client IP, expiring after the window
//   enrollment-token:{sha256} hash   one enrollment token, keyed by the SHA-256 of its secret (never the secret):
//                                    token_id, orchestrator_ids (JSON), max_uses (0 = unlimited), uses, expires_at,
//                                    created_at, max_agents, capabilities, labels; expires with the token
//   enrollment-tokens         hash   token_id -> SHA-256, for listing and revoking by id
//   leases:liveness           string the replica running the liveness monitor (SET NX PX, renewed)
//   rescheduling:pause        hash   present while mass-disconnect safety holds rescheduling: reason, since (unix ms)
public static class RedisKeys
{
    public const string Prefix = "orchestrator:";

    // Lua scripts build a container's key from its id with this prefix.
    public const string ContainerPrefix = Prefix + "container:";

    public static readonly RedisKey ContainerIds = Prefix + "containers";
    public static readonly RedisKey ContainerNames = Prefix + "containers:by-name";
    public static readonly RedisKey HeartbeatIndex = Prefix + "containers:by-heartbeat";
    public static readonly RedisKey LivenessLease = Prefix + "leases:liveness";
    public static readonly RedisKey ReschedulingPause = Prefix + "rescheduling:pause";
    public static readonly RedisKey ContainerTotals = Prefix + "containers:totals";

    public static RedisKey Container(string id) => ContainerPrefix + id;

    public static RedisKey DesiredAgents(string containerId) => ContainerPrefix + containerId + ":desired";

    public static RedisChannel ContainerChanged(string containerId) =>
        RedisChannel.Literal(ContainerPrefix + containerId + ":changed");

    public const string AgentPrefix = Prefix + "agent:";
    public static readonly RedisKey AgentIds = Prefix + "agents";
    public static readonly RedisKey SchedulerSequence = Prefix + "scheduler:sequence";

    public static RedisKey Agent(string id) => AgentPrefix + id;

    public static RedisKey Idempotency(string key) => Prefix + "idempotency:" + key;

    // Every container's change channel, for the one pattern subscription that wakes long-polls.
    public static readonly RedisChannel AnyContainerChanged = RedisChannel.Pattern(ContainerPrefix + "*:changed");

    public static string? ContainerIdFromChannel(string channel) =>
        channel.StartsWith(ContainerPrefix, StringComparison.Ordinal) && channel.EndsWith(":changed", StringComparison.Ordinal)
            ? channel[ContainerPrefix.Length..^":changed".Length] : null;

    public static RedisKey EnrollmentToken(string hash) => Prefix + "enrollment-token:" + hash;
    public static readonly RedisKey EnrollmentTokens = Prefix + "enrollment-tokens";

    public static RedisKey LoginFailures(string client) => Prefix + "login-failures:" + client;
}
