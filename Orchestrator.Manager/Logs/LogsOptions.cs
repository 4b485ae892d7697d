namespace Orchestrator.Manager.Logs;

// Agent logs kept in Redis (issue 26). Bound from "Logs"; LOG_RETENTION_BYTES sets RetentionBytes.
public sealed class LogsOptions
{
    public const string SectionName = "Logs";

    // What one agent's retained lines may cost in Redis. Enforced as a line count (MAXLEN ~ on the stream):
    // RetentionBytes / LogStreams.EntryBudgetBytes, since a line is cut to LogStreams.MaxLineBytes. The default,
    // 256 KiB, keeps the last 512 lines of each agent.
    public long RetentionBytes { get; set; } = 256 * 1024;

    // An agent's stream expires this long after its last line, so removed agents leave nothing behind for long.
    public TimeSpan Expiry { get; set; } = TimeSpan.FromDays(7);

    // How often a follow stream looks for new lines: the most a line waits before an open stream sends it.
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public long MaxLines => Math.Max(1, RetentionBytes / Orchestrator.Protocol.LogStreams.EntryBudgetBytes);
}

public sealed class LogsOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<LogsOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, LogsOptions options) =>
        options.RetentionBytes < Orchestrator.Protocol.LogStreams.EntryBudgetBytes
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(
                $"LOG_RETENTION_BYTES (Logs:RetentionBytes) must be at least {Orchestrator.Protocol.LogStreams.EntryBudgetBytes} (one line).")
            : options.FollowPollInterval <= TimeSpan.Zero || options.Expiry <= TimeSpan.Zero
                ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail("Logs:FollowPollInterval and Logs:Expiry must be positive.")
                : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
