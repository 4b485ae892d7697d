using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Logs;

public enum LogAppendStatus { Stored, UnknownAgent, NotOnThisContainer }

// Traceparent: the deploy's (the agent's traceparent field), so exported lines join the deploy's trace.
public sealed record LogAppendResult(LogAppendStatus Status, long AckedSequence, int Accepted, string? Tenant, string? Traceparent = null);

// One capped Redis stream per agent (RedisKeys.AgentLogs, in the slot of the agent's own hash). Entry ids are
// "<sequence>-0", so Redis itself keeps them increasing: the stream's last-generated-id is the high-water mark
// (it survives trimming), and a resent line at or below it is skipped. Retention is MAXLEN ~ on lines of
// bounded size (LogsOptions.MaxLines).
public sealed class LogStore(IConnectionMultiplexer redis, IOptions<LogsOptions> options)
{
    // KEYS: agent hash, its log stream. ARGV[1]: one JSON argument {container_field, tenant_field, container,
    // maxlen, expiry_ms, lines: [[sequence, entry id, time (unix ms), stream, text, dropped], ...]} (strings).
    // Checks that the poster holds the agent and appends only the lines above the high-water mark, in one step.
    private const string AppendScript = """
        local a = cjson.decode(ARGV[1])
        local placed = redis.call('HMGET', KEYS[1], a.container_field, a.tenant_field, a.traceparent_field)
        if not placed[1] then return {-1, 0, 0, '', ''} end
        if placed[1] ~= a.container then return {-2, 0, 0, '', ''} end
        local hwm = 0
        if redis.call('EXISTS', KEYS[2]) == 1 then
          local info = redis.call('XINFO', 'STREAM', KEYS[2])
          for i = 1, #info, 2 do
            if info[i] == 'last-generated-id' then hwm = tonumber(string.match(info[i + 1], '^(%d+)-')) end
          end
        end
        local accepted = 0
        for _, line in ipairs(a.lines) do
          local sequence = tonumber(line[1])
          if sequence > hwm then
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', a.maxlen, line[2], 't', line[3], 's', line[4], 'l', line[5], 'd', line[6])
            hwm = sequence
            accepted = accepted + 1
          end
        end
        if accepted > 0 then redis.call('PEXPIRE', KEYS[2], a.expiry_ms) end
        return {0, hwm, accepted, placed[2] or '', placed[3] or ''}
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<LogAppendResult> AppendAsync(string agentId, string containerId, IReadOnlyList<LogLine> lines)
    {
        var settings = options.Value;
        var inv = CultureInfo.InvariantCulture;
        var argument = new System.Text.Json.Nodes.JsonObject
        {
            ["container_field"] = AgentFields.Container, ["tenant_field"] = AgentFields.Tenant, ["traceparent_field"] = AgentFields.Traceparent,
            ["container"] = containerId,
            ["maxlen"] = settings.MaxLines.ToString(inv), ["expiry_ms"] = ((long)settings.Expiry.TotalMilliseconds).ToString(inv),
            ["lines"] = new System.Text.Json.Nodes.JsonArray([.. lines.Select(l => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(
                l.Sequence.ToString(inv), l.Sequence.ToString(inv) + "-0", l.Time.ToUnixTimeMilliseconds().ToString(inv), l.Stream, l.Text,
                l.Dropped.ToString(inv)))]),
        };
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AppendScript, [RedisKeys.Agent(agentId), RedisKeys.AgentLogs(agentId)],
            [argument.ToJsonString()]))!;
        var status = (long)result[0] switch { -1 => LogAppendStatus.UnknownAgent, -2 => LogAppendStatus.NotOnThisContainer, _ => LogAppendStatus.Stored };
        var tenant = (string?)result[3];
        var traceparent = result.Length > 4 ? (string?)result[4] : null;
        return new LogAppendResult(status, (long)result[1], (int)(long)result[2], string.IsNullOrEmpty(tenant) ? null : tenant,
            string.IsNullOrEmpty(traceparent) ? null : traceparent);
    }

    // The last `tail` retained lines at or after `since`, oldest first.
    public async Task<IReadOnlyList<LogLine>> TailAsync(string agentId, int tail, DateTimeOffset? since)
    {
        if (tail <= 0) return [];
        if (since is null)
        {
            var last = await Db.StreamRangeAsync(RedisKeys.AgentLogs(agentId), "-", "+", tail, Order.Descending);
            return [.. last.Reverse().Select(ToLine)];
        }
        // The whole retained stream is small (LogsOptions.MaxLines), so the time filter runs here.
        var all = await Db.StreamRangeAsync(RedisKeys.AgentLogs(agentId), "-", "+");
        return [.. all.Select(ToLine).Where(l => l.Time >= since).TakeLast(tail)];
    }

    // Up to `count` lines after the given sequence, oldest first (the follow stream's next read).
    public async Task<IReadOnlyList<LogLine>> AfterAsync(string agentId, long sequence, int count)
    {
        var entries = await Db.StreamRangeAsync(RedisKeys.AgentLogs(agentId), "(" + sequence.ToString(CultureInfo.InvariantCulture) + "-0", "+", count);
        return [.. entries.Select(ToLine)];
    }

    private static LogLine ToLine(StreamEntry entry)
    {
        var id = (string)entry.Id!;
        var sequence = long.Parse(id.AsSpan(0, id.IndexOf('-')), CultureInfo.InvariantCulture);
        return new LogLine(sequence, DateTimeOffset.FromUnixTimeMilliseconds((long)entry["t"]), (string?)entry["s"] ?? "",
            (string?)entry["l"] ?? "", (long)entry["d"]);
    }
}
