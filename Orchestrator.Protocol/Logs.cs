namespace Orchestrator.Protocol;

// One line an agent wrote, as the node captured it. sequence grows by one per line of that agent (a gap marker
// takes the number of the last line it stands for), so the manager keeps each line once and in order.
// stream: stdout, stderr, or gap: the node's buffer overflowed and `dropped` lines before this one are lost.
public sealed record LogLine(long Sequence, DateTimeOffset Time, string Stream, string Text, long Dropped = 0);

// POST /api/v1/cluster/containers/{id}/logs: one agent's next lines, oldest first.
public sealed record LogBatchRequest(string? AgentId, IReadOnlyList<LogLine>? Lines);

// The highest sequence the manager holds for the agent: the node forgets every line up to it, and resends the rest.
public sealed record LogBatchResponse(string AgentId, long AckedSequence, int Accepted);

// GET /api/v1/cluster/agents/{id}/logs: the retained lines, oldest first (follow=true streams LogLine events instead).
public sealed record AgentLogsResponse(string AgentId, IReadOnlyList<LogLine> Lines, int Count);

public static class LogStreams
{
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";
    public const string Gap = "gap";

    // A line is cut to this many UTF-8 bytes by the node (and again by the manager): the per-agent retention in
    // Redis is a line count derived from it (LOG_RETENTION_BYTES / EntryBudgetBytes).
    public const int MaxLineBytes = 400;

    // What one retained entry may cost in Redis at most: the text plus its sequence, time and stream fields.
    public const int EntryBudgetBytes = 512;

    public const int MaxBatchLines = 500;

    // A batch's lines, as JSON, stay under this many bytes: 500 lines of 400 bytes would be ~250 KB, past the
    // manager's default request body limit (MaxRequestBodySize, 64 KiB), and a 413 would stall the agent's log.
    public const int MaxBatchBytes = 48 * 1024;
}
