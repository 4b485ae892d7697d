namespace Orchestrator.Agent.Configuration;

// How the node reaches the manager (CENTRAL_MANAGER_URL, ENROLLMENT_TOKEN, AUTO_REGISTER, HEARTBEAT_INTERVAL,
// and the transport settings ALLOW_INSECURE_TRANSPORT, MANAGER_CA_FILE, MANAGER_CERT_SHA256).
public sealed class ManagerConnectionOptions
{
    public const string Section = "Manager";

    // The node's saved credential, under DATA_DIR (mode 0600); written once at enrollment.
    public const string CredentialFileName = "node-credential";

    // CENTRAL_MANAGER_URL: one URL, or several separated by commas (issue 27), tried in order: the node fails over to
    // the next when one cannot be reached and stays with the one that answered (ManagerEndpoints).
    public string? Url { get; set; }

    // The URLs of CENTRAL_MANAGER_URL, in order, blanks dropped.
    public IReadOnlyList<string> Urls =>
        (Url ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // ENROLLMENT_TOKEN: exchanged once for this node's own credential; restarts use the saved credential.
    public string? EnrollmentToken { get; set; }

    // ADMIN_PASSWORD: the seed's shared password, used only when AllowSharedPassword is on (and the manager agrees).
    public string? AdminPassword { get; set; }

    // ALLOW_SHARED_PASSWORD_NODES: the seed's flow, logging in as "cluster" with ADMIN_PASSWORD.
    public bool AllowSharedPassword { get; set; }

    // ALLOW_INSECURE_TRANSPORT: permit http:// to a manager that is not on loopback (credentials travel in clear text).
    public bool AllowInsecureTransport { get; set; }

    // MANAGER_CA_FILE: a PEM file of the private CA that issued the manager's certificate.
    public string? CaFile { get; set; }

    // MANAGER_CERT_SHA256: the manager certificate's SHA-256 fingerprint (hex, ':' allowed); any other is refused.
    public string? CertificateSha256 { get; set; }

    public bool AutoRegister { get; set; } = true;
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    // Per-call limit for register/heartbeat/login; the long-poll client gets its own, longer one.
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    // How long the node waits before asking again after the manager refused it for good: its credential revoked, or
    // its ENROLLMENT_TOKEN expired or used up. Retrying sooner changes nothing and counts as failed logins against
    // every node behind the same address. A restart asks at once.
    public TimeSpan RefusedLoginRetry { get; set; } = TimeSpan.FromMinutes(15);

    // How long the node waits before registering again after the manager refused its protocol (426, issue 27): only
    // an upgrade changes the answer, and the node keeps running its agents meanwhile. A restart asks at once.
    public TimeSpan ProtocolRefusedRetry { get; set; } = TimeSpan.FromMinutes(15);

    // FOR TESTS ONLY (Manager:ProtocolVersion): the protocol_version this node claims instead of NodeProtocol.Current,
    // so a test can play an older node. Never set it in production: the node still speaks the current protocol.
    public int? ProtocolVersion { get; set; }

    // The longest wait between attempts once an outage is long (past 10 heartbeat intervals; StagedBackoff).
    public TimeSpan OutageMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    // How long the manager may hold the assignments long-poll open before answering "no change".
    public TimeSpan LongPollWait { get; set; } = TimeSpan.FromSeconds(25);

    // When the long-poll recovers after failing (a manager restart), the node heartbeats at once instead of at
    // its next interval, after a random pause up to this long, so a whole fleet coming back does not arrive at once.
    public TimeSpan ReconnectJitter { get; set; } = TimeSpan.FromSeconds(2);

    // The longest pause between long-poll attempts while the manager is unreachable (exponential from
    // RetryBaseDelay, jittered): the long-poll is how the node notices the manager is back.
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}
