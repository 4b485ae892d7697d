namespace Orchestrator.Testing.Hosting;

// One redis-server. A Redis Cluster is several of them: RedisClusterHost starts and joins them.
public enum RedisMode
{
    Single,
}

// How a RedisHost runs redis-server. The defaults match the deployed one: append-only, no RDB snapshots.
public sealed record RedisHostOptions
{
    public RedisMode Mode { get; init; } = RedisMode.Single;

    public bool AppendOnly { get; init; } = true;

    public string AppendFsync { get; init; } = "everysec";

    // requirepass; clients must AUTH (the Url carries it), as docker-compose.central.yml runs Redis.
    public string? Password { get; init; }

    public int? MaxClients { get; init; }

    // A fixed port; by default a free one.
    public int? Port { get; init; }

    // Where the data directory is created (a temp directory by default); it is deleted on dispose.
    public string? ParentDirectory { get; init; }

    // Server output goes to redis.log in the data directory instead of the in-memory log.
    public bool LogToFile { get; init; }

    public TimeSpan StartupDeadline { get; init; } = TimeSpan.FromSeconds(20);

    // One node of a Redis Cluster (--cluster-enabled yes, its nodes.conf in its own directory). RedisClusterHost
    // forms the cluster (redis-cli --cluster create).
    public bool ClusterNode { get; init; }

    // cluster-node-timeout: how long a master may not answer before its replica takes over (Redis' default 15 s).
    public TimeSpan? ClusterNodeTimeout { get; init; }
}
