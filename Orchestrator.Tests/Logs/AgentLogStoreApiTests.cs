using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;
using Orchestrator.Tests.Tenants;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Orchestrator.Tests.Logs;

// The manager's log store (issue 26), over HTTP against a real Redis at the default LOG_RETENTION_BYTES (256 KiB:
// 512 lines of at most 400 bytes): a node shipping ten times that keeps the newest lines only, the stream's memory
// stays near the budget, and a tail past what is retained is a 400 naming it; each stored line is exported as a log
// record (the OTLP exporter's input) with the agent, its tenant and the deploy's trace id.
[Trait(TestLevel.Name, TestLevel.Api)]
public class AgentLogStoreApiTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private const int Retained = 512;

    [Fact]
    public void A_nodes_batch_of_the_longest_lines_stays_under_the_managers_default_body_limit()
    {
        var directory = Directory.CreateTempSubdirectory("log-batch-").FullName;
        try
        {
            var buffer = new Orchestrator.Agent.Runtime.Logs.AgentLogBuffer(directory, "agt-long", 8 * 1024 * 1024);
            for (var i = 0; i < LogStreams.MaxBatchLines; i++) buffer.Append(LogStreams.Stdout, new string('<', LogStreams.MaxLineBytes), DateTimeOffset.UtcNow);
            var batch = buffer.Pending(LogStreams.MaxBatchLines, LogStreams.MaxBatchBytes);
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new LogBatchRequest("agt-long", batch), ProtocolJsonContext.Default.LogBatchRequest);
            Assert.InRange(batch.Count, 1, LogStreams.MaxBatchLines - 1);
            Assert.True(body.Length < 64 * 1024, $"{batch.Count} lines take {body.Length} bytes");
            Assert.Single(buffer.Pending(LogStreams.MaxBatchLines, maxBytes: 1));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_agent_shipping_ten_times_its_retention_keeps_only_its_newest_lines_within_the_byte_budget_and_a_longer_tail_is_a_400()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var tenant = TenantClients.UniqueTenant("logs");
        var node = await admin.RegisterAsync(type, tenant, maxAgents: 1);
        var agentId = (await admin.DeployOkAsync(new { agent_type = type, agent_config = new { }, constraints = new { orchestrator_id = tenant } })).Agents[0].AgentId;

        // Lines as long as a node ships them (400 bytes each), in batches as the node cuts them (LogStreams.MaxBatchBytes).
        var text = new string('x', LogStreams.MaxLineBytes - 12);
        var start = DateTimeOffset.UtcNow;
        const int total = Retained * 10;
        for (var from = 1; from <= total; from += 100)
        {
            var lines = Enumerable.Range(from, Math.Min(100, total - from + 1))
                .Select(i => new LogLine(i, start.AddMilliseconds(i), LogStreams.Stdout, $"{i:D10} {text}")).ToList();
            using var shipped = await admin.PostAsJsonAsync(ManagerRoutes.ContainerLogs.Replace("{id}", node, StringComparison.Ordinal),
                new LogBatchRequest(agentId, lines), ProtocolJsonContext.Default.LogBatchRequest);
            var answer = await shipped.ReadAsync(ProtocolJsonContext.Default.LogBatchResponse);
            Assert.Equal(lines[^1].Sequence, answer.AckedSequence);
        }

        var tail = await (await admin.GetAsync($"/api/v1/cluster/agents/{agentId}/logs?tail={Retained}")).ReadAsync(ProtocolJsonContext.Default.AgentLogsResponse);
        Assert.Equal(Retained, tail.Count);
        Assert.Equal(Enumerable.Range(total - Retained + 1, Retained).Select(i => (long)i), tail.Lines.Select(l => l.Sequence));

        // Trimming is approximate (MAXLEN ~, whole stream nodes): at most one node of 100 entries past the budget.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var key = Orchestrator.Manager.Redis.RedisKeys.AgentLogs(agentId);
        var length = await redis.GetDatabase().StreamLengthAsync(key);
        Assert.InRange(length, Retained, Retained + 100);
        var bytes = (long)(await redis.GetDatabase().ExecuteAsync("MEMORY", "USAGE", key));
        Assert.True(bytes <= 256 * 1024 * 1.3, $"the stream of {length} lines takes {bytes} bytes");

        var refused = await (await admin.GetAsync($"/api/v1/cluster/agents/{agentId}/logs?tail={Retained + 1}")).AssertProblemAsync(400);
        Assert.True(refused.Errors?.ContainsKey("tail") == true, refused.Named());
    }

    [Fact]
    public async Task Each_stored_line_is_exported_once_as_a_log_record_with_the_agent_its_tenant_and_the_deploys_trace_id()
    {
        using var capture = new CapturedLogRecords(Orchestrator.Manager.Logs.AgentLogExport.Category);
        fixture.Manager.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().AddProvider(capture);
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var tenant = TenantClients.UniqueTenant("otlp");
        var node = await admin.RegisterAsync(type, tenant, maxAgents: 1);
        var agentId = (await admin.DeployOkAsync(new { agent_type = type, agent_config = new { }, constraints = new { orchestrator_id = tenant } })).Agents[0].AgentId;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var traceparent = (string?)await redis.GetDatabase().HashGetAsync(Orchestrator.Manager.Redis.RedisKeys.Agent(agentId), Orchestrator.Manager.Agents.AgentFields.Traceparent);
        Assert.False(string.IsNullOrEmpty(traceparent), "the deploy left no traceparent on the agent");

        var path = ManagerRoutes.ContainerLogs.Replace("{id}", node, StringComparison.Ordinal);
        LogLine Line(long i) => new(i, DateTimeOffset.UtcNow, i == 2 ? LogStreams.Stderr : LogStreams.Stdout, $"export line {i}");
        (await admin.PostAsJsonAsync(path, new LogBatchRequest(agentId, [Line(1), Line(2)]), ProtocolJsonContext.Default.LogBatchRequest)).EnsureSuccessStatusCode();
        // A resend (a lost answer) stores nothing and exports nothing again.
        (await admin.PostAsJsonAsync(path, new LogBatchRequest(agentId, [Line(2), Line(3)]), ProtocolJsonContext.Default.LogBatchRequest)).EnsureSuccessStatusCode();

        var records = capture.Records.Where(r => r.Attributes.GetValueOrDefault("agent_id") == agentId).ToList();
        Assert.Equal(["export line 1", "export line 2", "export line 3"], records.Select(r => r.Attributes["Text"]));
        Assert.All(records, r => Assert.Equal(tenant, r.Attributes["tenant"]));
        Assert.All(records, r => Assert.Equal(traceparent!.Split('-')[1], r.Attributes["trace_id"]));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, records[1].Level);
    }

    // Log records of one category as the OpenTelemetry exporter receives them: the message's own values and every
    // scope's (IncludeScopes), flattened into attributes.
    private sealed class CapturedLogRecords(string category) : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ISupportExternalScope
    {
        private Microsoft.Extensions.Logging.IExternalScopeProvider _scopes = new Microsoft.Extensions.Logging.LoggerExternalScopeProvider();

        public System.Collections.Concurrent.ConcurrentQueue<(Microsoft.Extensions.Logging.LogLevel Level, Dictionary<string, string?> Attributes)> Records { get; } = new();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string name) => new Logger(this, name == category);

        public void SetScopeProvider(Microsoft.Extensions.Logging.IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogRecords owner, bool captures) : Microsoft.Extensions.Logging.ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => captures;

            public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                if (!captures) return;
                var attributes = new Dictionary<string, string?>();
                owner._scopes.ForEachScope((scope, into) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                        foreach (var (key, value) in pairs) into[key] = value?.ToString();
                }, attributes);
                if (state is IEnumerable<KeyValuePair<string, object?>> own)
                    foreach (var (key, value) in own) attributes[key] = value?.ToString();
                owner.Records.Enqueue((logLevel, attributes));
            }
        }
    }
}
