namespace Orchestrator.Agent.Configuration;

// How the node reaches the manager (CENTRAL_MANAGER_URL, ADMIN_PASSWORD, AUTO_REGISTER, HEARTBEAT_INTERVAL).
public sealed class ManagerConnectionOptions
{
    public const string Section = "Manager";

    public string? Url { get; set; }
    public string? AdminPassword { get; set; }
    public bool AutoRegister { get; set; } = true;
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    // Per-call limit for register/heartbeat/login; the long-poll client gets its own, longer one.
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    // How long the manager may hold the assignments long-poll open before answering "no change".
    public TimeSpan LongPollWait { get; set; } = TimeSpan.FromSeconds(25);
}
