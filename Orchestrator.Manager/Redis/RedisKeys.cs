using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// The one place that names Redis keys and channels: scripts get every key through KEYS (never build one),
// and nothing else formats a key string (RedisKeysTests checks both). Layout (all under "orchestrator:"):
//   container:{id}            hash   one container: id, name, host, port, capabilities, resources, metadata,
//                                    max_agents, status, registered_at, last_heartbeat (unix ms), health_score,
//                                    active_agents, usage, reported_agents, assigned_agents, running_agents, generation
//   container:{id}:desired    hash   agent_id -> assignment JSON; bumps container's generation
//   container:{id}:changed    channel published on every generation bump, for long-polls
//   container:{id}:reservations hash  capacity held by deploys between reserve and commit: deployment id ->
//                                    "count:expires (unix ms)"; expired entries are dropped by the next script
//                                    that counts them, and the key expires with its last entry
//   containers                set    every container id                                          [global]
//   containers:by-name        hash   container_name -> id (re-registering keeps the id)          [global]
//   containers:totals         hash   per status: count:{s}, max:{s} (sum of max_agents),         [global]
//                                    active:{s} (sum of active_agents), kept by the scripts so status reads are O(1)
//   containers:by-heartbeat   zset   id scored by last heartbeat (unix ms): liveness scans only  [global]
//                                    the stale ones
//   agent:{id}                hash   one placed agent: type, config, container, orchestrator, epoch, policy, lease,
//                                    assignment JSON, and what its orchestrator last reported (see AgentFields)
//   agents                    set    every agent id                                              [global]
//   idempotency:{caller}:{key} string a deploy's response under its caller (hashed subject) and Idempotency-Key (24 h)
//   scheduler:sequence        string counter shared by every replica's round_robin rotation
//   {login-failures}:<client>|<user> string failed logins from one client (IPv4, IPv6 /64) for one username (hashed)
//   {login-failures}:all      string failed logins from everyone; both expire after the window
//   enrollment-token:{sha256} hash   one enrollment token, keyed by the SHA-256 of its secret (never the secret):
//                                    token_id, orchestrator_ids (JSON), max_uses (0 = unlimited), uses, expires_at,
//                                    created_at, max_agents, capabilities, labels; expires with the token
//   enrollment-tokens         hash   token_id -> SHA-256, for listing and revoking by id
//   leases:liveness           string the replica running the liveness monitor (SET NX PX, renewed)
//   rescheduling:pause        hash   present while mass-disconnect safety holds rescheduling: reason, since (unix ms)
//   layout                    string the key layout version this Redis holds (see RedisLayout)
//
// Redis Cluster: "{...}" is a hash tag, so a container's hash, its desired set and its channel hash to one
// slot (the one of its id) and a script on one container stays in one slot. An agent has one key, so it
// needs no tag (its name is the same as before tags). The [global] indexes are one key each, every one in
// its own slot: the scripts that touch them together with a container's keys (register, heartbeat, delete,
// sweep, rebuild totals) and the placement scripts (place, remove, move: a container's keys with an agent's
// and the agents set) span several slots, which Redis Cluster refuses; sharding those indexes is issue 15.
// The login-failure counters all share the tag {login-failures}: the limiter's script counts a client's
// failures and everyone's together, so they must share a slot (a short-lived counter per client, so the
// name change from "login-failures:" needed no migration: old counters expire within the window).
public static class RedisKeys
{
    public const string Prefix = "orchestrator:";

    // Bump when the layout changes and teach RedisLayout to migrate from the previous one.
    public const int LayoutVersion = 2;

    private const string ContainerPrefix = Prefix + "container:";

    public static readonly RedisKey ContainerIds = Prefix + "containers";
    public static readonly RedisKey ContainerNames = Prefix + "containers:by-name";
    public static readonly RedisKey HeartbeatIndex = Prefix + "containers:by-heartbeat";
    public static readonly RedisKey LivenessLease = Prefix + "leases:liveness";
    public static readonly RedisKey ReschedulingPause = Prefix + "rescheduling:pause";
    public static readonly RedisKey ContainerTotals = Prefix + "containers:totals";
    public static readonly RedisKey Layout = Prefix + "layout";

    public static RedisKey Container(string id) => ContainerPrefix + Tag(id);

    public static RedisKey DesiredAgents(string containerId) => ContainerPrefix + Tag(containerId) + ":desired";

    public static RedisKey Reservations(string containerId) => ContainerPrefix + Tag(containerId) + ":reservations";

    public static RedisChannel ContainerChanged(string containerId) =>
        RedisChannel.Literal(ContainerPrefix + Tag(containerId) + ":changed");

    public static readonly RedisKey AgentIds = Prefix + "agents";
    public static readonly RedisKey SchedulerSequence = Prefix + "scheduler:sequence";

    public static RedisKey Agent(string id) => Prefix + "agent:" + id;

    public static RedisKey Idempotency(string key) => Prefix + "idempotency:" + key;

    // Every container's change channel, for the one pattern subscription that wakes long-polls
    // (a glob: '*' also matches the braces of the hash tag).
    public static readonly RedisChannel AnyContainerChanged = RedisChannel.Pattern(ContainerPrefix + "*:changed");

    public static string? ContainerIdFromChannel(string channel) =>
        channel.StartsWith(ContainerPrefix + "{", StringComparison.Ordinal) && channel.EndsWith("}:changed", StringComparison.Ordinal)
            ? channel[(ContainerPrefix.Length + 1)..^"}:changed".Length] : null;

    private const string LoginFailuresPrefix = Prefix + "{login-failures}:";

    public static RedisKey LoginFailures(string client) => LoginFailuresPrefix + client;

    public static readonly RedisKey AllLoginFailures = LoginFailuresPrefix + "all";

    private static string Tag(string id) => "{" + id + "}";

    // Layout 1 (before hash tags), read only by the one-time migration in RedisLayout.
    public static class Legacy
    {
        public static RedisKey Container(string id) => ContainerPrefix + id;

        public static RedisKey DesiredAgents(string containerId) => ContainerPrefix + containerId + ":desired";
    }

    public static RedisKey EnrollmentToken(string hash) => Prefix + "enrollment-token:" + hash;
    public static readonly RedisKey EnrollmentTokens = Prefix + "enrollment-tokens";
}
