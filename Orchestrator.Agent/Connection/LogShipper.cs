using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Runtime.Logs;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Agent.Connection;

// Ships every agent's buffered log lines to the manager (Buildkite's log chunks: retried until accepted).
// Each POST carries one agent's oldest unacknowledged lines; the answer is the highest sequence the manager
// holds, and only then does the buffer forget them, so an outage or a lost answer loses nothing and the
// manager's dedupe keeps a resent line once. Its own loop and HTTP client: logs never delay a heartbeat.
// Rate-limited per node (LOG_SHIP_LINES_PER_SECOND); a 429's Retry-After is honoured.
public sealed class LogShipper : BackgroundService, IHealthCheck
{
    public const string Name = "Orchestrator.Agent.Logs";
    public const string HealthName = "log-shipping";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(10);

    private readonly AgentLogs _logs;
    private readonly ManagerClient _client;
    private readonly ConnectionState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<LogShipper> _logger;
    private readonly TokenBucketRateLimiter _limiter;
    private readonly Counter<long> _shipped;
    private readonly Counter<long> _failures;
    private volatile string? _lastFailure;

    public LogShipper(AgentLogs logs, IHttpClientFactory http, IManagerCredentials credentials, ConnectionState state,
        IOptions<RuntimeOptions> options, IMeterFactory meters, TimeProvider time, ILogger<LogShipper> logger)
    {
        (_logs, _state, _time, _logger) = (logs, state, time, logger);
        _client = new ManagerClient(() => http.CreateClient(ManagerHttpClients.Logs), credentials);
        var rate = options.Value.LogShipLinesPerSecond;
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(rate, LogStreams.MaxBatchLines), TokensPerPeriod = rate, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue, AutoReplenishment = true,
        });
        var meter = meters.Create(Name);
        _shipped = meter.CreateCounter<long>("orchestrator.logs.shipped", description: "Log lines the manager acknowledged");
        _failures = meter.CreateCounter<long>("orchestrator.logs.failures", description: "Failed log shipments");
        meter.CreateObservableGauge("orchestrator.logs.dropped", () => _logs.Buffers().Sum(b => b.Dropped),
            description: "Lines dropped because an agent's buffer was full (since the node started)");
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_lastFailure is { } failure
            ? HealthCheckResult.Degraded("log shipping failing (lines stay buffered): " + failure)
            : HealthCheckResult.Healthy("log lines ship"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = RetryBase;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = await ShipAllAsync(stoppingToken);
                if (wait is null)
                {
                    retry = RetryBase;
                    // Wake on new lines (or each second), then linger a moment so lines travel in batches.
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    idle.CancelAfter(Idle);
                    try { await _logs.WaitForLinesAsync(idle.Token); }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
                    await Task.Delay(Linger, _time, stoppingToken);
                    continue;
                }
                await Task.Delay(wait.Value > retry ? wait.Value : retry, _time, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, retry.Ticks * 2));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Null when every buffer was drained; else how long to wait before trying again.
    private async Task<TimeSpan?> ShipAllAsync(CancellationToken cancellationToken)
    {
        if (_state.ContainerId is not { } containerId) return Idle;
        foreach (var buffer in _logs.Buffers())
        {
            while (buffer.Pending(LogStreams.MaxBatchLines, LogStreams.MaxBatchBytes) is { Count: > 0 } batch)
            {
                using var lease = await _limiter.AcquireAsync(batch.Count, cancellationToken);
                using var activity = ActivitySource.StartActivity("ship logs");
                activity?.SetTag(BackgroundPass.Tag, true);
                activity?.SetTag("agent_id", buffer.AgentId);
                try
                {
                    var acked = await _client.ShipLogsAsync(containerId, new LogBatchRequest(buffer.AgentId, batch), cancellationToken);
                    buffer.Acknowledge(acked.AckedSequence);
                    _shipped.Add(batch.Count(l => l.Sequence <= acked.AckedSequence));
                    _lastFailure = null;
                    if (acked.AckedSequence < batch[^1].Sequence) break; // the manager holds less than sent: next pass
                }
                catch (ManagerProblemException ex) when (ex.Is(ProblemTypes.UnknownAgent))
                {
                    // The agent was deleted or runs elsewhere now: its lines are no longer this node's to ship.
                    _logger.LogInformation("The manager takes no more logs of agent {AgentId} from this node ({Status}); dropping its buffer",
                        buffer.AgentId, (int)ex.StatusCode);
                    _logs.Forget(buffer.AgentId);
                    break;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    _failures.Add(1);
                    _lastFailure = ex.Message;
                    activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                    return ManagerRetryAfter.AtLeast(ex, RetryBase);
                }
            }
        }
        return null;
    }

    public override void Dispose()
    {
        _limiter.Dispose();
        base.Dispose();
    }
}
