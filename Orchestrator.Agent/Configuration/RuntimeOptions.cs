namespace Orchestrator.Agent.Configuration;

// The agent runtime: where desired state lives (DATA_DIR), what `process` agents may run (ALLOWED_COMMANDS).
public sealed class RuntimeOptions
{
    public const string Section = "Runtime";

    public string DataDirectory { get; set; } = "data";

    // Empty by default: the manager can never make a customer's machine run arbitrary code.
    public List<string> AllowedCommands { get; set; } = [];
    public TimeSpan RestartBaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan RestartMaxDelay { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public int OutputLines { get; set; } = 50;

    // LOG_BUFFER_MB: each agent's on-disk buffer of log lines the manager has not acknowledged yet (fractions
    // allowed); when full, the oldest are dropped and a gap marker counts them.
    public double LogBufferMegabytes { get; set; } = 8;

    // LOG_SHIP_LINES_PER_SECOND: the most lines this node ships per second, all agents together.
    public int LogShipLinesPerSecond { get; set; } = 2000;

    // PROCESS_ENV_ALLOWLIST: the node's variables a `process` agent inherits besides PATH. Children otherwise
    // start with an empty environment, so no secret of the node (credential, tokens, passwords) reaches them.
    public List<string> ProcessEnvironmentAllowlist { get; set; } = [];

    // MAX_LOCK_SECONDS: the longest an agent's update lock (DATA/.orchestrator/update.lock) may hold off its stop,
    // restart, update or drain, whatever its own max_lock_seconds says; past it the stop goes ahead.
    public int MaxLockSeconds { get; set; } = 600;

    // Where process agents' secret files go (a directory per agent); default: a folder on /dev/shm (tmpfs), never DATA_DIR.
    public string? SecretsDirectory { get; set; }
}
