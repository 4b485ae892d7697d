namespace Orchestrator.Manager.Options;

// Every setting of the manager. The seed's environment variables map onto these keys
// (see Extensions/SeedEnvironment.cs); ManagerOptionsValidator checks them at startup.
public sealed class ManagerOptions
{
    public const string SectionName = "Manager";

    // JWT_SECRET: HS256 signing key of every token; at least 32 characters.
    public string JwtSecret { get; set; } = "";

    // JWT_PREVIOUS_SECRETS (comma-separated): retired signing keys that still verify, so JWT_SECRET can be
    // rotated without logging anyone out (docs/deployment.md "Rotating JWT_SECRET").
    public List<string> JwtPreviousSecrets { get; set; } = [];

    // ADMIN_PASSWORD: operators log in with it as "admin". Orchestrators may use it as "cluster" only
    // while AllowSharedPasswordNodes is on (the seed's flow); otherwise they enroll.
    public string AdminPassword { get; set; } = "";

    // ALLOW_SHARED_PASSWORD_NODES: the seed's flow, where every orchestrator holds ADMIN_PASSWORD. Off by
    // default: each node enrolls with an enrollment token and logs in with its own credential.
    public bool AllowSharedPasswordNodes { get; set; }

    // BOOTSTRAP_ENROLLMENT_TOKEN: an enrollment token the manager stores at start (like kubeadm --token), so a
    // local AppHost or a first install can enroll nodes before any admin call. Empty: none.
    public string? BootstrapEnrollmentToken { get; set; }

    // BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS (comma-separated): the orchestrator_ids the bootstrap token may enroll.
    public List<string> BootstrapOrchestratorIds { get; set; } = [];

    // The max_agents bound of nodes enrolled with the bootstrap token.
    public int BootstrapMaxAgents { get; set; } = 100;

    // How long the bootstrap token stays valid after each manager start.
    public TimeSpan BootstrapTokenLifetime { get; set; } = TimeSpan.FromDays(1);

    // Lifetime of an enrolled node's access token (short: revocation also checks the credential version).
    public TimeSpan NodeTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

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

    // MASTER_SECRET_KEY: the key tenant secrets are sealed under in Redis (AES-GCM, key derived with HKDF);
    // 32+ characters, required outside Development (Development generates one per run).
    public string? MasterSecretKey { get; set; }

    // MASTER_SECRET_KEY_PREVIOUS: the key before a rotation; still opens secrets until every replica's start-up
    // pass has moved them to MASTER_SECRET_KEY (docs/deployment.md "Rotating MASTER_SECRET_KEY").
    public string? MasterSecretKeyPrevious { get; set; }

    // Manager:RecommendedNodeVersion (issue 27): the node build outdated nodes are advised to run, inside their
    // tenant's maintenance window. Unset: this manager's own build (nodes and manager ship together).
    public string? RecommendedNodeVersion { get; set; }
}
