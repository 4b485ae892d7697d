using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Fencing;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Agent.Connection;

// Holds the assignments long-poll open to the manager (outbound only: the manager never dials in),
// and hands every newer desired state to the coordinator, which saves it to DATA_DIR and reconciles.
// A response whose generation is not newer than the last one applied changes nothing.
public sealed class AssignmentListener(
    ManagerClient client,
    ConnectionState state,
    DesiredStateCoordinator coordinator,
    AgentReporter reporter,
    LeaseFence fence,
    IOptions<ManagerConnectionOptions> options,
    TimeProvider time,
    ILogger<AssignmentListener> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("Orchestrator.Agent.Assignments");

    private readonly FailureLog _failures = new(logger);
    private string? _appliedFor;
    private long _applied = -1;
    // The last poll failed, or the manager said it was going away: the next answer means it is back.
    private bool _interrupted;
    // The outage of a node that never reached the manager runs from its start.
    private readonly DateTimeOffset _started = time.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AutoRegister) return;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (state.ContainerId is not { } containerId)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken); // not registered yet
                    continue;
                }
                await PollOnceAsync(containerId, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ManagerProblemException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                // Whichever loop hears the 404 first says so; the heartbeat loop then registers again.
                logger.LogWarning("The manager no longer knows container {ContainerId}; registering again", state.ContainerId);
                state.Forgotten();
            }
            catch (Exception ex)
            {
                var cause = FailureCause.From(ex);
                state.AssignmentFailed(cause);
                _failures.Failure("Assignments long-poll", cause);
                _interrupted = true;
                // Capped low and jittered (0.5-1.0): this loop is how the node notices the manager is back, and
                // nodes that failed together must not retry together.
                var cap = options.Value.ReconnectMaxDelay < options.Value.HeartbeatInterval ? options.Value.ReconnectMaxDelay : options.Value.HeartbeatInterval;
                var backoff = RestartBackoff.For(++failures, options.Value.RetryBaseDelay, cap) * (0.5 + Random.Shared.NextDouble() * 0.5);
                // Past 10 intervals of outage, in stages up to one interval (StagedBackoff): a long outage's fleet does not
                // probe every few seconds, and still notices the manager back within about one interval.
                var interval = state.ManagerHeartbeatInterval ?? options.Value.HeartbeatInterval;
                backoff = StagedBackoff.For(time.GetUtcNow() - (state.LastContact ?? _started), interval, backoff, cap,
                    interval < options.Value.OutageMaxDelay ? interval : options.Value.OutageMaxDelay, Random.Shared.NextDouble());
                await Task.Delay(ManagerRetryAfter.AtLeast(ex, backoff), time, stoppingToken);
            }
        }
    }

    // Each poll is one pass, always quiet: it mostly waits and answers "no change", and what it does deliver
    // is traced where it belongs, each new agent's start under the trace of the deploy call that placed it.
    private async Task PollOnceAsync(string containerId, CancellationToken cancellationToken)
    {
        using var pass = ActivitySource.StartPass("poll assignments");
        pass.Quiet();
        var since = containerId == _appliedFor ? _applied : -1;
        // After an outage the first poll does not wait: its answer is what tells this node the manager is back, and a
        // held poll would give it only after the whole wait (measured: 10,000 nodes back 22 s after the restarted
        // manager was healthy instead of within the reconnect jitter).
        var wait = _interrupted ? 0 : (int)options.Value.LongPollWait.TotalSeconds;
        var response = await client.GetAssignmentsAsync(containerId, since, wait, cancellationToken);
        state.AssignmentsReceived(time.GetUtcNow());
        _failures.Success("Assignments long-poll");
        if (_interrupted && response.RetryAfter is null) state.RequestHeartbeat();
        _interrupted = response.RetryAfter is not null;
        // Every answer, repeated or not, is the manager confirming what runs here (it lifts lease fences).
        var desired = Definitions(response);
        fence.Confirm(desired);
        if (containerId != _appliedFor || response.Generation > _applied)
        {
            await ApplyAsync(response.Generation, desired, cancellationToken);
            (_appliedFor, _applied) = (containerId, response.Generation);
            reporter.ReportSoon();
        }
        // A stopping manager answers held polls at once and says when to come back (spread over a few seconds),
        // so its restart is not met by every node at the same moment.
        if (response.RetryAfter is { } seconds and > 0)
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(seconds, options.Value.ReconnectMaxDelay.TotalSeconds * 2)), time, cancellationToken);
    }

    private static List<AgentDefinition> Definitions(AssignmentsResponse response) => response.Assignments.Select(Definition).ToList();

    // An agent_config with a key twice (placed past the manager's check: an older or compromised manager, or Redis
    // written by hand) fails that agent alone with the reason. Made into a JsonObject it threw on every poll, so the
    // node took no new assignment at all (issue 30 item 3).
    private static AgentDefinition Definition(Assignment a)
    {
        var duplicate = JsonDuplicateKeys.Find(a.AgentConfig, "agent_config");
        var config = duplicate is null && a.AgentConfig.ValueKind == JsonValueKind.Object ? JsonObject.Create(a.AgentConfig) : null;
        return new AgentDefinition(a.AgentId, a.AgentType, config, a.Epoch, a.OnClusterLoss ?? ClusterLossPolicies.Keep, a.LeaseSeconds,
            a.Traceparent, duplicate is null ? null : $"{duplicate} appears more than once; refused, as the manager refuses it at deploy",
            a.Signature)
        {
            SecretValues = a.SecretValues,
            DesiredState = a.DesiredState,
            Force = a.Force == true,
        };
    }

    private async Task ApplyAsync(long generation, List<AgentDefinition> desired, CancellationToken cancellationToken)
    {
        var known = coordinator.Current.Agents.Select(a => a.AgentId).ToHashSet(StringComparer.Ordinal);
        // Each new agent's start joins the trace of the deploy call that placed it.
        var activities = desired.Where(d => !known.Contains(d.AgentId)).Select(StartActivity).ToList();
        try
        {
            logger.LogInformation("Applying desired state generation {Generation}: {Count} agents", generation, desired.Count);
            await coordinator.ApplyAsync(new LocalDesiredState(generation, desired), cancellationToken);
        }
        finally
        {
            foreach (var activity in activities) activity?.Dispose();
        }
    }

    private static Activity? StartActivity(AgentDefinition definition)
    {
        var parent = ActivityContext.TryParse(definition.Traceparent, null, out var context) ? context : default;
        // Under the deploy's trace, or (no traceparent: placed by an older manager) a trace of its own; never
        // under the quiet poll that delivered it.
        Activity.Current = null;
        var activity = ActivitySource.StartActivity("start agent", ActivityKind.Consumer, parent);
        activity?.SetTag("agent.id", definition.AgentId);
        activity?.SetTag("agent.type", definition.AgentType);
        activity?.SetTag("agent.epoch", definition.Epoch);
        return activity;
    }
}
