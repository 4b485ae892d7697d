namespace Orchestrator.Testing.Hosting;

// Only Single for now; Cluster (several redis-server processes with --cluster-enabled, one
// CLUSTER ADDSLOTS / MEET round) slots in here once the Lua scripts are cluster-safe.
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
}
