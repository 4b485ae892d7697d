namespace Orchestrator.Manager.Options;

// Every setting of the manager. The seed's environment variables map onto these keys
// (see Extensions/SeedEnvironment.cs); ManagerOptionsValidator checks them at startup.
public sealed class ManagerOptions
{
    public const string SectionName = "Manager";

    // JWT_SECRET: HS256 signing key of every token; at least 32 characters.
    public string JwtSecret { get; set; } = "";

    // ADMIN_PASSWORD: operators log in with it as "admin"; orchestrators as "cluster" (as in the seed).
    public string AdminPassword { get; set; } = "";

    // HEARTBEAT_INTERVAL (seconds): told to every orchestrator at registration; liveness counts in it.
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    // How often the liveness monitor looks for missed heartbeats.
    public TimeSpan LivenessCheckPeriod { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    // Failed logins allowed per client IP within LoginFailureWindow before 429.
    public int LoginFailureLimit { get; set; } = 5;

    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(5);

    public long MaxRequestBodySize { get; set; } = 64 * 1024;

    // Used when a registration gives neither max_agents nor metadata.max_agents.
    public int DefaultMaxAgents { get; set; } = 10;

    // ENABLE_DISTRIBUTED: when false the manager refuses orchestrator registrations (503);
    // operators can still read and deregister what is stored.
    public bool EnableDistributed { get; set; } = true;

    // MASTER_SECRET_KEY: accepted from the seed's compose file and checked (32+ characters when given);
    // reserved for encrypting secrets inside agent configurations at rest. Nothing else reads it yet.
    public string? MasterSecretKey { get; set; }
}
