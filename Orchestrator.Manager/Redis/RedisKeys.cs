using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// The one place that names Redis keys and channels: scripts get every key through KEYS (never build one),
// and nothing else formats a key string (RedisKeysTests checks both). Layout (all under "orchestrator:"),
// where {s} is the hash tag of a container shard (see ContainerShards: 256 shards, tags like {s42.7}):
//   container:{s}:{id}        hash   one container: id, name, host, port, capabilities, resources, metadata,
//                                    max_agents, status, registered_at, last_heartbeat (unix ms), health_score,
//                                    active_agents, usage, reported_agents, assigned_agents, running_agents, generation
//   container:{s}:{id}:desired hash  agent_id -> assignment JSON; bumps container's generation
//   container:{s}:{id}:changed channel published on every generation bump, for long-polls
//   container:{s}:{id}:reservations hash capacity held by deploys between reserve and commit: deployment id ->
//                                    "count:expires (unix ms)[:cpu_millis:memory_mb]"; expired entries are dropped by the next script
//                                    that counts them, and the key expires with its last entry
//   container:{s}:{id}:reports hash  agent_id -> JSON of what the node last reported for that agent while it
//                                    ran here: reported_state, reported_at, restarts, error, started_at,
//                                    image_digest
//   container:{s}:{id}:outgoing hash agent_id -> JSON {to, orchestrator, assignment}: an agent a reschedule
//                                    took out of this container's desired set and has not yet finished moving
//   containers:{s}            set    the shard's container ids                                   [shard]
//   containers:{s}:by-name    hash   container_name -> id (re-registering keeps the id), for     [shard]
//                                    the names of this shard: a new container's id is drawn in its name's shard
//   containers:{s}:totals     hash   per status: count:{st}, max:{st} (sum of max_agents),       [shard]
//                                    active:{st} (sum of active_agents), kept by the scripts so status reads
//                                    are O(shards); /status sums the shards
//   containers:{s}:by-heartbeat zset id scored by last heartbeat (unix ms): liveness scans only  [shard]
//                                    the stale ones, shard by shard
//   agent:{a}:{id}            hash   one placed agent: type, config, container, orchestrator, epoch, policy, lease,
//                                    assignment JSON (see AgentFields); {a} is the tag of the agent id's own shard
//   agents:{a}                set    the ids of the agents in shard {a}                          [shard]
//   agent:{a}:{id}:logs       stream the agent's last log lines (issue 26), entry id "<sequence>-0", fields t
//                                    (unix ms), s (stdout|stderr|gap), l (text), d (dropped); capped with
//                                    MAXLEN ~ by LOG_RETENTION_BYTES, expires a week after its last line
//   idempotency:{caller}:{key} string a deploy's response under its caller (hashed subject) and Idempotency-Key (24 h)
//   scheduler:sequence        string counter shared by every replica's round_robin rotation
//   {login-failures}:<client>|<user> string failed logins from one client (IPv4, IPv6 /64) for one username (hashed)
//   {login-failures}:all      string failed logins from everyone; both expire after the window
//   {enrollment}:token:{sha256} hash one enrollment token, keyed by the SHA-256 of its secret (never the secret):
//                                    token_id, orchestrator_ids (JSON), max_uses (0 = unlimited), uses, expires_at,
//                                    created_at, max_agents, capabilities, labels; expires with the token
//   {enrollment}:tokens       hash   token_id -> SHA-256, for listing and revoking by id
//   leases:liveness           string the replica running the liveness monitor (SET NX PX, renewed)
//   rescheduling:pause        hash   present while rescheduling is held: reason, since (unix ms), kind (automatic:
//                                    mass-disconnect safety; operator), by, note, until (unix ms, 0: none)
//   rescheduling:resumed      string the operator who last resumed; while it lives (one lost window) no
//                                    automatic pause starts
//   layout                    string the key layout version this Redis holds (see RedisLayout)
//   {operators}:by-name       hash   scoped operator name -> JSON: role, tenants, SHA-256 of its api_key, version
//   {tenants}:quotas          hash   tenant (orchestrator_id) -> JSON quota: max_containers, max_agents (null: none)
//   {tenants}:maintenance     hash   tenant -> JSON maintenance windows: time_zone, windows, updated_at (issue 27)
//   {tenants}:leases:{quota}:{tenant} string held while one deploy (agents) or enrollment (containers) checks that
//                                    tenant's quota and writes what it admits (SET NX PX, TenantQuotaGate)
//   {audit}:log               stream the audit log, capped (XADD MAXLEN ~): time, actor, role, tenant, action,
//                                    target, outcome, trace_id
//   {secrets}:tenant:<tenant> hash   secret name -> JSON: version, key_id, sealed (AES-GCM, base64), created_at,
//                                    updated_at; never a plain value (SecretStore)
//   {secrets}:tenants         set    the tenants that have secrets, for the re-encryption pass
//   {deployments}:deployment:<id> hash one deployment (issue 25): doc (JSON: spec revisions, strategy, agent ids,
//                                    rollout progress) and version (a counter every write checks and bumps)
//   {deployments}:ids         set    the deployments' ids, for listing
//   {deployments}:active      set    the ids of those rolling out (running or paused), for the rollout driver
//   leases:rollout            string the replica driving rollouts (SET NX PX, renewed), as leases:liveness
//   {events}                  stream the live event stream (GET /api/v1/events), capped with XADD MAXLEN ~; one
//                                    key in its own slot, read by every replica
//
// Redis Cluster: "{...}" is a hash tag. A container's hash, desired set and channel and its shard's four
// indexes share the shard's tag, so register, heartbeat, delete, revoke and the liveness sweep each run in
// one slot, and the heartbeat and liveness load spreads over the 256 shards, hence over every master.
// Layout 4 puts every other script in one slot too. Whatever a script must check or change atomically about
// an agent on a container lives in that container's keys: its desired set (the authority on which agents a
// container runs, at which epoch), its reports and its outgoing moves. The agent's own hash (its spec and a
// pointer to its container) shares a slot only with its shard of the agents index, and is written by
// separate steps: deploy (AgentPlacer), remove (AgentStore.RemoveAsync) and reschedule (AgentMover) order
// their one-slot steps so that a manager dying between two never loses or duplicates an agent.
// Enrollment tokens share the tag {enrollment}: enrollment uses its token in one script and writes the
// container in another (NodeEnrollment), handing the use back when the second refuses.
// The login-failure counters all share the tag {login-failures}: the limiter's script counts a client's
// failures and everyone's together, so they must share a slot (a short-lived counter per client, so the
// name change from "login-failures:" needed no migration: old counters expire within the window).
public static class RedisKeys
{
    public const string Prefix = "orchestrator:";

    // Bump when the layout changes and teach RedisLayout to migrate from the previous one.
    public const int LayoutVersion = 4;

    private const string ContainerPrefix = Prefix + "container:";
    private const string ShardPrefix = Prefix + "containers:";

    public static readonly RedisKey LivenessLease = Prefix + "leases:liveness";
    public static readonly RedisKey ReschedulingPause = Prefix + "rescheduling:pause";
    public static readonly RedisKey ReschedulingResumed = Prefix + "rescheduling:resumed";
    public static readonly RedisKey Layout = Prefix + "layout";
    // Ids of the containers being drained (issue 27): the liveness leader's drain pass reads only these.
    public static readonly RedisKey Draining = Prefix + "drains:active";

    public static RedisKey ContainerIds(int shard) => ShardPrefix + ShardTag(shard);

    public static RedisKey ContainerNames(int shard) => ShardPrefix + ShardTag(shard) + ":by-name";

    public static RedisKey HeartbeatIndex(int shard) => ShardPrefix + ShardTag(shard) + ":by-heartbeat";

    public static RedisKey ContainerTotals(int shard) => ShardPrefix + ShardTag(shard) + ":totals";

    public static RedisKey Container(string id) => ContainerName(id);

    public static RedisKey DesiredAgents(string containerId) => ContainerName(containerId) + ":desired";

    public static RedisKey Reservations(string containerId) => ContainerName(containerId) + ":reservations";

    public static RedisKey Reports(string containerId) => ContainerName(containerId) + ":reports";

    public static RedisKey Outgoing(string containerId) => ContainerName(containerId) + ":outgoing";

    // The node's journal (issue 29): its pinned journal key and the last entry the manager accepted (a hash).
    public static RedisKey NodeJournal(string containerId) => ContainerName(containerId) + ":journal";

    public static RedisChannel ContainerChanged(string containerId) => RedisChannel.Literal(ContainerName(containerId) + ":changed");

    private static string ContainerName(string id) => ContainerPrefix + ShardTag(ContainerShards.Of(id)) + ":" + id;

    public static readonly RedisKey SchedulerSequence = Prefix + "scheduler:sequence";

    // An agent's hash and its shard of the agents index share the tag of the agent id's shard.
    public static RedisKey Agent(string id) => Prefix + "agent:" + ShardTag(ContainerShards.Of(id)) + ":" + id;

    // Beside the agent's hash, in its slot: the append script checks the hash's container and writes the stream.
    public static RedisKey AgentLogs(string id) => Prefix + "agent:" + ShardTag(ContainerShards.Of(id)) + ":" + id + ":logs";

    public static RedisKey AgentIds(int shard) => Prefix + "agents:" + ShardTag(shard);

    public static RedisKey AgentIdsOf(string agentId) => AgentIds(ContainerShards.Of(agentId));

    public static RedisKey Idempotency(string key) => Prefix + "idempotency:" + key;

    // Every container's change channel, for the one pattern subscription that wakes long-polls
    // (a glob: '*' also matches the braces of the hash tag).
    public static readonly RedisChannel AnyContainerChanged = RedisChannel.Pattern(ContainerPrefix + "*:changed");

    public static string? ContainerIdFromChannel(string channel)
    {
        if (!channel.StartsWith(ContainerPrefix + "{", StringComparison.Ordinal) || !channel.EndsWith(":changed", StringComparison.Ordinal)) return null;
        var close = channel.IndexOf("}:", ContainerPrefix.Length, StringComparison.Ordinal);
        return close < 0 ? null : channel[(close + 2)..^":changed".Length];
    }

    private const string LoginFailuresPrefix = Prefix + "{login-failures}:";

    public static RedisKey LoginFailures(string client) => LoginFailuresPrefix + client;

    public static readonly RedisKey AllLoginFailures = LoginFailuresPrefix + "all";

    private static string ShardTag(int shard) => "{" + ContainerShards.Tag(shard) + "}";

    // Earlier layouts, read only by the one-time migration in RedisLayout: 1 had no hash tags, 2 tagged a
    // container's keys with its own id, and both kept the container indexes in one global key each.
    public static class Legacy
    {
        public static RedisKey Container(string id) => ContainerPrefix + id;

        public static RedisKey DesiredAgents(string containerId) => ContainerPrefix + containerId + ":desired";

        public static RedisKey TaggedContainer(string id) => ContainerPrefix + "{" + id + "}";

        public static RedisKey TaggedDesiredAgents(string containerId) => ContainerPrefix + "{" + containerId + "}:desired";

        public static readonly RedisKey ContainerIds = Prefix + "containers";
        public static readonly RedisKey ContainerNames = Prefix + "containers:by-name";
        public static readonly RedisKey HeartbeatIndex = Prefix + "containers:by-heartbeat";
        public static readonly RedisKey ContainerTotals = Prefix + "containers:totals";

        // Layouts 1 to 3: one untagged key per agent, one global agents set, untagged enrollment tokens.
        public static RedisKey Agent(string id) => Prefix + "agent:" + id;

        public static readonly RedisKey AgentIds = Prefix + "agents";

        public static RedisKey EnrollmentToken(string hash) => Prefix + "enrollment-token:" + hash;

        public static readonly RedisKey EnrollmentTokens = Prefix + "enrollment-tokens";
    }

    // Tenants (issue 13): each one key in its own slot (hash tags so a future script on one stays in one slot).
    public static readonly RedisKey Operators = Prefix + "{operators}:by-name";
    public static readonly RedisKey TenantQuotas = Prefix + "{tenants}:quotas";

    // Maintenance windows (issue 27): tenant -> JSON (MaintenanceStore), beside the quotas in {tenants}.
    public static readonly RedisKey TenantMaintenance = Prefix + "{tenants}:maintenance";
    // quota: "agents" or "containers" (the fixed first part, so no tenant id can name another quota's lease).
    public static RedisKey TenantQuotaLease(string quota, string tenant) => Prefix + "{tenants}:leases:" + quota + ":" + tenant;
    public static readonly RedisKey AuditLog = Prefix + "{audit}:log";

    // Tenant secrets (issue 26), sealed with AES-GCM: one hash per tenant (name -> JSON version, key_id, sealed,
    // created_at, updated_at) and the set of tenants having any, all in the slot of {secrets}.
    public static RedisKey TenantSecrets(string tenant) => Prefix + "{secrets}:tenant:" + tenant;

    public static readonly RedisKey SecretTenants = Prefix + "{secrets}:tenants";
    // Hash-tagged so the stream has a slot of its own, named the same under Redis Cluster.
    public static readonly RedisKey Events = Prefix + "{events}";

    public static RedisKey EnrollmentToken(string hash) => Prefix + "{enrollment}:token:" + hash;
    public static readonly RedisKey EnrollmentTokens = Prefix + "{enrollment}:tokens";

    // Deployments (issue 25): every key in the slot of {deployments}, so a write checks the version and updates
    // the id set in one script.
    public static RedisKey Deployment(string id) => Prefix + "{deployments}:deployment:" + id;
    public static readonly RedisKey DeploymentIds = Prefix + "{deployments}:ids";
    public static readonly RedisKey ActiveDeploymentIds = Prefix + "{deployments}:active";
    public static readonly RedisKey RolloutLease = Prefix + "leases:rollout";
}
