using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Options;
using Orchestrator.Bench.Protocol;
using Orchestrator.Protocol;

namespace Orchestrator.Bench.Scenarios;

// After the deploy phase: the fleet is topped up to ReadAgents agents by deploys of many replicas each,
// then an operator's two agent reads are sampled while the fleet heartbeats: the first page of
// GET /cluster/agents and GET /metrics/distribution. Neither may read every container or every agent.
public static class AgentReads
{
    private const int ReplicasPerDeploy = 100; // the manager's default Scheduling:MaxReplicas
    private const int FillConcurrency = 4;

    public static async Task<AgentReadsResult> MeasureAsync(ProtocolClient client, AuthenticationHeaderValue admin, BenchSettings settings,
        int agentsBefore, Action<string> log, CancellationToken cancellationToken)
    {
        var missing = Math.Max(0, settings.ReadAgents - agentsBefore);
        var batches = (missing + ReplicasPerDeploy - 1) / ReplicasPerDeploy;
        var budget = settings.Short ? TimeSpan.FromSeconds(30) : TimeSpan.FromMinutes(5);
        var outcomes = new OutcomeCounts();
        var agents = agentsBefore;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, batches),
            new ParallelOptions { MaxDegreeOfParallelism = FillConcurrency, CancellationToken = cancellationToken },
            async (batch, token) =>
            {
                if (clock.Elapsed > budget) return;
                var replicas = Math.Min(ReplicasPerDeploy, missing - batch * ReplicasPerDeploy);
                try
                {
                    var (status, body) = await client.DeployAsync(admin, new DeployRequest("trading_agent", Config, "least_loaded", replicas), token);
                    if (outcomes.AddStatus(status) == Outcome.Ok && body is not null) Interlocked.Add(ref agents, body.Agents.Count);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !token.IsCancellationRequested)
                {
                    outcomes.AddException(e);
                }
            });
        var fillSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        log($"deploy: {agents} agents placed for the agent reads ({fillSeconds} s to top up, errors {outcomes.Errors})");

        var readBudget = settings.Short ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(15);
        var list = await ReadSampler.SampleAsync(client, admin, ManagerRoutes.Agents, settings.ReadSamples, readBudget, cancellationToken);
        var distribution = await ReadSampler.SampleAsync(client, admin, ManagerRoutes.Distribution, settings.ReadSamples, readBudget, cancellationToken);
        log($"deploy: at {agents} agents GET {ManagerRoutes.Agents} p99 {list.Latency.P99Ms} ms ({list.ResponseBytes / 1024} KiB), " +
            $"GET {ManagerRoutes.Distribution} p99 {distribution.Latency.P99Ms} ms");
        return new AgentReadsResult(agents, fillSeconds, outcomes.Summarize(), list, distribution);
    }

    private static readonly JsonElement Config = JsonDocument.Parse("""{"strategy":"distributed_momentum"}""").RootElement.Clone();
}

// Agents: how many existed when the reads were sampled (placed by the deploy phase and the top-up).
public sealed record AgentReadsResult(int Agents, double FillSeconds, OutcomeSummary FillOutcomes, ReadResult List, ReadResult Distribution);
