using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;
using Orchestrator.Bench.Simulation;
using Orchestrator.Protocol;

namespace Orchestrator.Bench.Scenarios;

// deploy: a fleet heartbeating and holding its assignment long-polls, and an operator deploying M
// agents with K calls in flight. Placements/s over the deploy phase; scheduling latency is the
// deploy call; deploy-to-running runs from the deploy call's start to the manager accepting the
// cluster's "running" report for that agent.
public sealed class DeployScenario(BenchContext context)
{
    private const int WaitSeconds = 25;

    public async Task<DeployResult> RunAsync(CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var interval = settings.FleetInterval;
        await using var redis = await context.StartRedisAsync();
        await using var manager = await context.StartManagerAsync(redis, interval);
        using var http = context.Http(manager.Url!, longPollConnections: settings.DeployClusters + 16);
        var client = context.Client(http);
        var capacity = (int)Math.Ceiling(Math.Max(settings.Deploys, settings.ReadAgents) * 1.5 / settings.DeployClusters) + 10;
        var clusters = Enumerable.Range(0, settings.DeployClusters).Select(i => new SimCluster(i, context.RunId, capacity, settings.Seed)).ToList();
        var registration = await FleetRegistrar.RegisterAsync(client, clusters, settings.RegisterConcurrency, cancellationToken);
        clusters.RemoveAll(c => c.ContainerId is null);
        context.Log($"deploy: {clusters.Count} clusters registered, max_agents {capacity} each");

        var runningAt = new ConcurrentDictionary<string, long>();
        var (polls, reports) = (new OutcomeCounts(), new OutcomeCounts());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pacer = new HeartbeatPacer(client, clusters, interval, maxInFlight: 20_000, retry: true);
        var followers = clusters.Select(c => new AssignmentFollower(client, c, interval, WaitSeconds,
            (id, at) => runningAt.TryAdd(id, at), polls, reports)).ToList();
        var background = new List<Task> { pacer.RunAsync(stop.Token) };
        background.AddRange(followers.Select(f => f.RunAsync(stop.Token)));
        try
        {
            // Long-polls settle: every cluster opens one at once, about a second per thousand on this machine.
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(settings.Short ? 1 : 3, clusters.Count / 1000.0)), cancellationToken);
            var admin = await client.LoginAsync(null, cancellationToken);
            var probe = await ProbeAsync(client, admin, cancellationToken);
            if (probe.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
                return DeployResult.Unmeasured(registration, $"POST {ManagerRoutes.Deploy} answered {(int)probe.Status}: not implemented in this manager build");
            if (followers.Any(f => f.Unsupported))
                return DeployResult.Unmeasured(registration, "GET .../assignments answered 404 after registering: not implemented in this manager build");

            var deployedAt = new ConcurrentDictionary<string, long>();
            var scheduling = new LatencyRecorder();
            var outcomes = new OutcomeCounts();
            var cpu = new CpuMeter(manager.Pid, redis.Pid);
            var clock = Stopwatch.StartNew();
            var attempted = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, settings.Deploys),
                new ParallelOptions { MaxDegreeOfParallelism = settings.DeployConcurrency, CancellationToken = cancellationToken },
                async (_, token) =>
                {
                    if (clock.Elapsed > settings.DeployBudget) return;
                    Interlocked.Increment(ref attempted);
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        var (status, body) = await client.DeployAsync(admin, Request(), token);
                        scheduling.RecordSince(started);
                        if (outcomes.AddStatus(status) == Outcome.Ok && body is not null)
                            foreach (var placed in body.Agents) deployedAt.TryAdd(placed.AgentId, started);
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !token.IsCancellationRequested)
                    {
                        scheduling.RecordSince(started);
                        outcomes.AddException(e);
                    }
                });
            var deploySeconds = clock.Elapsed.TotalSeconds;
            var share = cpu.Stop();
            context.Log($"deploy: {outcomes[Outcome.Ok]} placed in {deploySeconds:0.00} s ({outcomes[Outcome.Ok] / deploySeconds:0}/s), errors {outcomes.Errors}");

            var deadline = Stopwatch.StartNew();
            while (deployedAt.Keys.Any(id => !runningAt.ContainsKey(id)) && deadline.Elapsed < TimeSpan.FromSeconds(WaitSeconds + 30))
                await Task.Delay(100, cancellationToken);
            var toRunning = new LatencyRecorder();
            foreach (var (id, at) in deployedAt)
                if (runningAt.TryGetValue(id, out var running)) toRunning.RecordElapsed(Stopwatch.GetElapsedTime(at, running));
            var neverRunning = deployedAt.Count - (int)toRunning.Count;
            context.Log($"deploy: scheduling p99 {scheduling.Summarize().P99Ms} ms, deploy-to-running p50 {toRunning.Summarize().P50Ms} p99 {toRunning.Summarize().P99Ms} ms, never running {neverRunning}");
            var reads = await AgentReads.MeasureAsync(client, admin, settings, deployedAt.Count, context.Log, cancellationToken);
            return new DeployResult(true, null, registration, attempted, settings.DeployConcurrency,
                Math.Round(deploySeconds, 2), Math.Round(outcomes[Outcome.Ok] / deploySeconds, 1), scheduling.Summarize(),
                outcomes.Summarize(), toRunning.Summarize(), neverRunning, polls.Summarize(), reports.Summarize(), share, reads);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(background);
        }
    }

    // The first deploy, retried while the manager is still busy taking the fleet's long-polls.
    private static async Task<(HttpStatusCode Status, DeployResponse? Body)> ProbeAsync(ProtocolClient client,
        System.Net.Http.Headers.AuthenticationHeaderValue admin, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.DeployAsync(admin, Request(), cancellationToken);
            }
            catch (OperationCanceledException) when (attempt < 5 && !cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static readonly JsonElement Config = JsonDocument.Parse("""{"strategy":"distributed_momentum"}""").RootElement.Clone();

    private static DeployRequest Request() => new("trading_agent", Config, "least_loaded");
}

public sealed record DeployResult(bool Measured, string? Reason, RegistrationResult Registration, int Deploys, int Concurrency,
    double Seconds, double PlacementsPerSecond, LatencySummary Scheduling, OutcomeSummary Outcomes, LatencySummary DeployToRunning,
    int NeverRunning, OutcomeSummary LongPolls, OutcomeSummary Reports, CpuShare? Cpu, AgentReadsResult? Reads = null)
{
    private static readonly OutcomeSummary None = new OutcomeCounts().Summarize();

    public static DeployResult Unmeasured(RegistrationResult registration, string reason) =>
        new(false, reason, registration, 0, 0, 0, 0, LatencySummary.Empty, None, LatencySummary.Empty, 0, None, None, null);
}
