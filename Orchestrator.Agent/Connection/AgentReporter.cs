using System.Diagnostics;
using System.Threading.Channels;
using Orchestrator.Agent.Runtime;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Agent.Connection;

// Tells the manager what runs here whenever an agent changes state (coalesced), and stops at once every
// agent the manager refuses: it was deleted, or placed elsewhere under a newer epoch.
public sealed class AgentReporter : BackgroundService
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ManagerClient _client;
    private readonly ConnectionState _state;
    private readonly AgentSupervisor _supervisor;
    private readonly DesiredStateCoordinator _coordinator;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentReporter> _logger;

    public AgentReporter(ManagerClient client, ConnectionState state, AgentSupervisor supervisor, DesiredStateCoordinator coordinator,
        TimeProvider time, ILogger<AgentReporter> logger)
    {
        (_client, _state, _supervisor, _coordinator, _time, _logger) = (client, state, supervisor, coordinator, time, logger);
        supervisor.StateChanged += _ => ReportSoon();
    }

    // The report joins the trace of what caused it (an agent's start under its deploy's trace), so one trace
    // runs from the deploy call to the manager hearing the agent runs. The latest recorded cause wins.
    public void ReportSoon()
    {
        if (Activity.Current is { Recorded: true } cause) _cause = cause;
        _signal.Writer.TryWrite(true);
    }

    private volatile Activity? _cause;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _signal.Reader.WaitToReadAsync(stoppingToken))
            {
                _signal.Reader.TryRead(out _);
                await Task.Delay(Coalesce, _time, stoppingToken);
                if (_state.ContainerId is { } containerId && await TryReportAsync(containerId, stoppingToken) is { } failure)
                {
                    await Task.Delay(ManagerRetryAfter.AtLeast(failure, RetryAfter), _time, stoppingToken);
                    ReportSoon();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Null when reported; else the failure (its Retry-After sets the wait before the next try).
    private async Task<Exception?> TryReportAsync(string containerId, CancellationToken cancellationToken)
    {
        var cause = Interlocked.Exchange(ref _cause, null)?.Context ?? default;
        using var activity = ConnectionTelemetry.ActivitySource.StartActivity("report agents", ActivityKind.Internal, cause);
        activity?.SetTag(BackgroundPass.Tag, true);
        var agents = _supervisor.Agents()
            .Select(a => a.ToReported())
            .ToList();
        try
        {
            var verdict = await _client.ReportAgentsAsync(containerId, new AgentReportRequest(containerId, _coordinator.Current.Generation, agents), cancellationToken);
            if (verdict.Rejected.Count == 0) return null;
            foreach (var rejected in verdict.Rejected)
                _logger.LogWarning("The manager refused agent {AgentId} ({Reason}); stopping it", rejected.AgentId, rejected.Reason);
            await _coordinator.RemoveAsync(verdict.Rejected.Select(r => r.AgentId).ToHashSet(StringComparer.Ordinal), cancellationToken);
            return null;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogDebug("Agent report failed ({Error}); retrying", ex.Message);
            return ex;
        }
    }
}
