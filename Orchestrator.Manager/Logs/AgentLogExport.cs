using Microsoft.Extensions.Logging;

namespace Orchestrator.Manager.Logs;

// Every stored line also leaves as an OpenTelemetry log record (the manager's OTLP exporter takes ILogger),
// under its own category so a collector can route it to long-term storage: Redis is the live tail only. Attributes:
// agent_id, tenant and trace_id, the trace of the deploy that placed the agent (issue 26), so a line is found from it.
public sealed class AgentLogExport(ILoggerFactory loggers)
{
    public const string Category = "Orchestrator.AgentLogs";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public void Export(string agentId, string? tenant, IEnumerable<LogLine> lines, string? traceparent = null)
    {
        if (!_logger.IsEnabled(LogLevel.Information)) return;
        using var scope = _logger.BeginScope(new Dictionary<string, object?>
        {
            ["agent_id"] = agentId, ["tenant"] = tenant ?? "", ["trace_id"] = TraceIdOf(traceparent) ?? "",
        });
        foreach (var line in lines)
        {
            if (line.Stream == LogStreams.Gap)
                _logger.LogWarning("{Dropped} lines dropped by the node before sequence {Sequence}", line.Dropped, line.Sequence);
            else if (line.Stream == LogStreams.Stderr)
                _logger.LogWarning("{Text} (sequence {Sequence}, {Time})", line.Text, line.Sequence, line.Time);
            else
                _logger.LogInformation("{Text} (sequence {Sequence}, {Time})", line.Text, line.Sequence, line.Time);
        }
    }

    // W3C traceparent "00-<32 hex trace id>-<16 hex span id>-<flags>": its trace id, or null.
    public static string? TraceIdOf(string? traceparent) =>
        traceparent?.Split('-') is [_, { Length: 32 } traceId, _, _] ? traceId : null;
}
