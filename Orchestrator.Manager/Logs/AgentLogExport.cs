using Microsoft.Extensions.Logging;

namespace Orchestrator.Manager.Logs;

// Every stored line also leaves as an OpenTelemetry log record (the manager's OTLP exporter takes ILogger),
// under its own category so a collector can route it to long-term storage: Redis is the live tail only.
public sealed class AgentLogExport(ILoggerFactory loggers)
{
    public const string Category = "Orchestrator.AgentLogs";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public void Export(string agentId, string? tenant, IEnumerable<LogLine> lines)
    {
        if (!_logger.IsEnabled(LogLevel.Information)) return;
        using var scope = _logger.BeginScope(new Dictionary<string, object?> { ["agent_id"] = agentId, ["tenant"] = tenant ?? "" });
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
}
