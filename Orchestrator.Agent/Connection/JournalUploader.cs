using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestrator.Agent.Runtime;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Agent.Connection;

// Uploads the node's journal (Runtime/NodeJournal) once the manager is reachable: asks which entry the manager
// holds last, then posts the entries after it, oldest first, in batches; the manager checks the chain and answers
// the new last entry. Its own loop and HTTP client, like the log shipper: the journal never delays a heartbeat.
// A chain the manager calls broken (409 Journal chain broken) is not sent again until the node restarts: the
// manager has recorded the tampering, and resending would only repeat it.
public sealed class JournalUploader : BackgroundService, IHealthCheck
{
    public const string Name = "Orchestrator.Agent.Journal";
    public const string HealthName = "journal-upload";
    public const int MaxBatch = 200;

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(5);

    private readonly NodeJournal _journal;
    private readonly ManagerClient _client;
    private readonly ConnectionState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<JournalUploader> _logger;
    private readonly Counter<long> _uploaded;
    private readonly Counter<long> _failures;
    private long? _acked;
    private volatile string? _lastFailure;
    private volatile string? _refused;

    public JournalUploader(NodeJournal journal, IHttpClientFactory http, IManagerCredentials credentials, ConnectionState state,
        IMeterFactory meters, TimeProvider time, ILogger<JournalUploader> logger)
    {
        (_journal, _state, _time, _logger) = (journal, state, time, logger);
        _client = new ManagerClient(() => http.CreateClient(ManagerHttpClients.Calls), credentials);
        var meter = meters.Create(Name);
        _uploaded = meter.CreateCounter<long>("orchestrator.journal.uploaded", description: "Journal entries the manager accepted");
        _failures = meter.CreateCounter<long>("orchestrator.journal.failures", description: "Failed journal uploads");
        meter.CreateObservableGauge("orchestrator.journal.pending", () => _acked is { } acked ? Math.Max(0, _journal.LastSequence - acked) : 0,
            description: "Journal entries the manager has not acknowledged (0 until it was asked)");
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_refused is { } refused
            ? HealthCheckResult.Degraded("the manager reported this node's journal as tampered (not sent again until restart): " + refused)
            : _lastFailure is { } failure
                ? HealthCheckResult.Degraded("journal upload failing (entries stay on disk): " + failure)
                : HealthCheckResult.Healthy("journal uploaded"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = RetryBase;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var appended = _journal.Appended;
                var failed = _refused is null && await UploadAsync(stoppingToken) is false;
                if (!failed)
                {
                    retry = RetryBase;
                    // Wake on a new entry, or every few seconds (the link may have come back).
                    await Task.WhenAny(appended, Task.Delay(Idle, _time, stoppingToken));
                    continue;
                }
                await Task.Delay(retry, _time, stoppingToken);
                retry = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, retry.Ticks * 2));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Null: nothing to do (not connected, nothing new); true: uploaded; false: failed, retry with backoff.
    private async Task<bool?> UploadAsync(CancellationToken cancellationToken)
    {
        if (_state.ContainerId is not { } containerId || _state.Link != ManagerLink.Connected) return null;
        if (_acked is { } known && known == _journal.LastSequence) return null;
        using var activity = ActivitySource.StartActivity("upload journal");
        activity?.SetTag(BackgroundPass.Tag, true);
        try
        {
            // After a start or a failure the manager is asked what it holds: a lost answer must not skip entries.
            _acked ??= (await _client.GetJournalAckAsync(containerId, cancellationToken)).AckedSequence;
            // Each batch starts with the entry the manager acknowledged, so it can check that entry is unchanged on
            // disk; a journal shorter than what the manager holds sends its last entry, so the manager sees the loss.
            while (_journal.LastSequence is > 0 and var last && last != _acked.Value
                && _journal.After(Math.Max(0, Math.Min(_acked.Value, last) - 1), MaxBatch) is { Count: > 0 } batch)
            {
                activity?.SetTag("journal.first_sequence", batch[0].Sequence);
                var ack = await _client.UploadJournalAsync(containerId, new JournalUploadRequest(_journal.PublicKey, batch), cancellationToken);
                _uploaded.Add(ack.Accepted);
                if (ack.AckedSequence == _acked.Value) break;
                _acked = ack.AckedSequence;
            }
            _lastFailure = null;
            return true;
        }
        catch (ManagerProblemException ex) when (ex.Is(ProblemTypes.JournalTampered))
        {
            _refused = ex.Problem?.Detail ?? ex.Message;
            _acked = null;
            activity?.SetStatus(ActivityStatusCode.Error, _refused);
            _logger.LogError("The manager reported this node's journal as tampered; not sending it again until the node restarts: {Reason}", _refused);
            return false;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _failures.Add(1);
            _lastFailure = ex.Message;
            _acked = null;
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return false;
        }
    }
}
