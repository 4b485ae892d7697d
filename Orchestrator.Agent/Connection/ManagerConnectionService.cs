using System.Net;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Readings;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Polly;
using Polly.Retry;

namespace Orchestrator.Agent.Connection;

// Registers with the manager (retrying with exponential backoff and jitter until it succeeds), then
// heartbeats every interval. 404: registers again. 401: the client logs in again. Unreachable: keeps
// trying with backoff capped at the interval, while agents carry on untouched.
public sealed class ManagerConnectionService(
    ManagerClient client,
    ConnectionState state,
    ConnectionTelemetry telemetry,
    HeartbeatComposer composer,
    IManagerCredentials credentials,
    IOptions<ManagerConnectionOptions> options,
    TimeProvider time,
    ILogger<ManagerConnectionService> logger) : BackgroundService
{
    private readonly FailureLog _failures = new(logger);
    private readonly ManagerConnectionOptions _options = options.Value;
    // The outage of a node that never reached the manager runs from its start.
    private readonly DateTimeOffset _started = time.GetUtcNow();
    // The last beat was accepted: the next one is routine, and not traced.
    private bool _lastBeatRoutine;
    // The capabilities the manager last accepted; when the drivers can run something else, the node registers
    // again (same container_name: same container id) so the manager places only what it can run.
    private IReadOnlyList<string> _registeredCapabilities = [];

    private TimeSpan Interval => state.ManagerHeartbeatInterval ?? _options.HeartbeatInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.AutoRegister)
        {
            state.Disabled();
            logger.LogInformation("AUTO_REGISTER is false: not registering with a manager");
            return;
        }
        composer.CapabilitiesChanged += state.RequestHeartbeat;
        logger.LogInformation("Registering with the manager at {Url}", string.Join(", ", _options.Urls));
        LogProxies();
        var registration = RegistrationPipeline(stoppingToken);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (state.ContainerId is null || !_registeredCapabilities.SequenceEqual(composer.Capabilities()))
                    await registration.ExecuteAsync(RegisterAsync, stoppingToken);
                state.HeartbeatStarted();
                var failure = await HeartbeatAsync(stoppingToken);
                failures = failure is null ? 0 : failures + 1;
                await WaitForNextBeatAsync(failures == 0 ? Interval : ManagerRetryAfter.AtLeast(failure, Backoff(failures)), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // Until the next scheduled beat, or earlier when the long-poll saw the manager come back after an outage
    // (a restart): then after a random pause up to ReconnectJitter, so the fleet's beats spread over that window
    // instead of waiting up to a whole interval, or all arriving in the same second.
    private async Task WaitForNextBeatAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var early = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, time, early.Token);
        if (await Task.WhenAny(delay, state.HeartbeatWanted) == delay)
        {
            await delay;
            return;
        }
        await early.CancelAsync();
        var jitter = _options.ReconnectJitter * Random.Shared.NextDouble();
        logger.LogInformation("Heartbeating early, in {Jitter:F1} s (the manager is reachable again, or what this node can run changed)", jitter.TotalSeconds);
        await Task.Delay(jitter, time, stoppingToken);
    }

    private async ValueTask RegisterAsync(CancellationToken cancellationToken)
    {
        using var activity = ConnectionTelemetry.ActivitySource.StartPass("register");
        var sentAt = time.GetUtcNow();
        var registration = composer.Registration();
        var response = await client.RegisterAsync(registration, cancellationToken);
        _registeredCapabilities = registration.Capabilities ?? [];
        state.Registered(response.ContainerId, Seconds(response.HeartbeatInterval), time.GetUtcNow(), sentAt);
        _lastBeatRoutine = false;
        activity?.SetTag("container_id", response.ContainerId);
        telemetry.Registered();
        _failures.Success("Registration");
        logger.LogInformation("Registered as container {ContainerId}; heartbeat every {Interval}", response.ContainerId, Interval);
    }

    // Null when the manager accepted it (or asked for a fresh registration, which the next turn does at once);
    // else the failure, whose Retry-After the next wait honours.
    // One span per beat, quiet (not exported, nor the manager's side of it) while beats are routine: only the
    // first beat after registering and the beats after a failure are traced, so the dashboard is not one trace
    // per node every interval. Every beat still counts in the metrics, and failures are logged.
    private async Task<Exception?> HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var activity = ConnectionTelemetry.ActivitySource.StartPass("heartbeat");
        if (_lastBeatRoutine) activity.Quiet();
        _lastBeatRoutine = false;
        try
        {
            var started = time.GetTimestamp();
            var containerId = state.ContainerId!;
            var response = await client.HeartbeatAsync(containerId, composer.Heartbeat(containerId), cancellationToken);
            state.HeartbeatAccepted(Seconds(response.HeartbeatInterval), time.GetUtcNow(), time.GetElapsedTime(started));
            telemetry.Heartbeat();
            _failures.Success("Heartbeat");
            _lastBeatRoutine = true;
            return null;
        }
        catch (ManagerProblemException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            logger.LogWarning("The manager no longer knows container {ContainerId}; registering again", state.ContainerId);
            state.Forgotten();
            return null;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Report("Heartbeat", ex);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            return ex;
        }
    }

    private ResiliencePipeline RegistrationPipeline(CancellationToken stoppingToken) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                // The manager's Retry-After (429/503) when it asks for longer than the backoff would wait; a refused
                // protocol (426) waits Manager:ProtocolRefusedRetry, as only an upgrade changes the answer.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception switch
                {
                    ManagerProblemException refused when refused.Is(ProblemTypes.ProtocolNotAccepted) => _options.ProtocolRefusedRetry,
                    ManagerProblemException { RetryAfter: { } wait } => wait,
                    _ => (TimeSpan?)null,
                }),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(_ => !stoppingToken.IsCancellationRequested),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is { } ex) Report("Registration", ex);
                    return default;
                },
            })
            .Build();

    private void Report(string phase, Exception ex)
    {
        if (ex is ManagerProblemException { Path: ManagerRoutes.Token } refused && refused.Is(ProblemTypes.InvalidCredentials))
            (credentials as NodeCredentials)?.ForgetUnknownCredential();
        var cause = FailureCause.From(ex);
        state.Failed(cause);
        telemetry.Failure(cause, phase.ToLowerInvariant());
        if (ex is ManagerProblemException protocol && protocol.Is(ProblemTypes.ProtocolNotAccepted))
            // One line, each time (every Manager:ProtocolRefusedRetry): the operator must upgrade this node.
            logger.LogError("The manager refuses this node's protocol {ProtocolVersion} (426): {Detail} Agents keep running; asking again in {Retry}",
                composer.ProtocolVersion, protocol.Problem?.Detail ?? protocol.Message, _options.ProtocolRefusedRetry);
        else
            _failures.Failure(phase, cause);
    }

    // Exponential from the base delay, with jitter, never longer than the heartbeat interval; past 10 intervals of
    // outage, in stages up to Manager:OutageMaxDelay (StagedBackoff).
    private TimeSpan Backoff(int failures)
    {
        var exponential = RestartBackoff.For(failures, _options.RetryBaseDelay, Interval) * (0.8 + Random.Shared.NextDouble() * 0.2);
        return StagedBackoff.For(time.GetUtcNow() - (state.LastContact ?? _started), Interval, exponential, Interval, _options.OutageMaxDelay,
            Random.Shared.NextDouble());
    }

    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (issue 27): the node's clients use .NET's default proxy, which reads them
    // (HTTPS_PROXY for https:// URLs, HTTP_PROXY for http://, NO_PROXY to bypass). Said once, so an operator sees the path.
    private void LogProxies()
    {
        foreach (var url in _options.Urls)
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && HttpClient.DefaultProxy.GetProxy(uri) is { } proxy && proxy != uri)
                logger.LogInformation("Calls to {Url} go through the proxy {Proxy} (HTTPS_PROXY/HTTP_PROXY; NO_PROXY bypasses it)", url, proxy);
    }

    private static TimeSpan? Seconds(double? seconds) => seconds is > 0 ? TimeSpan.FromSeconds(seconds.Value) : null;
}
