using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Testing.Cluster;

namespace Orchestrator.Bench.DeployLatency;

// One deploy at a time: POST deploy, then poll the chosen orchestrator's local API every millisecond
// until the agent is running; then delete it so capacity never runs out.
public static class DeployLatencyRun
{
    public sealed record Result(LongHistogram DeployCall, LongHistogram AfterReturn, LongHistogram Total, int Failures)
    {
        public string ToMarkdown(int deploys, int orchestrators)
        {
            static string Row(string name, LongHistogram h) =>
                $"| {name} | {Ms(h, 50)} | {Ms(h, 90)} | {Ms(h, 99)} | {h.GetMaxValue() / (double)TimeSpan.TicksPerMillisecond:0.0} |";
            return string.Join(Environment.NewLine,
                $"Deploy-to-running, {deploys} sequential `trading_agent` deploys, {orchestrators} orchestrators, " +
                $"{Environment.ProcessorCount} cores shared by Redis, manager, orchestrators and this client; failures: {Failures}",
                "", "| latency (ms) | p50 | p90 | p99 | max |", "|---|---|---|---|---|",
                Row("deploy call (POST until 201)", DeployCall), Row("201 until running on the orchestrator", AfterReturn),
                Row("POST until running (total)", Total));
        }

        private static string Ms(LongHistogram h, double percentile) =>
            (h.GetValueAtPercentile(percentile) / (double)TimeSpan.TicksPerMillisecond).ToString("0.0");
    }

    public static async Task<Result> RunAsync(ProcessCluster cluster, int deploys)
    {
        var nodes = (await cluster.Api.ListAllContainersAsync()).ToDictionary(
            c => c.ContainerId, c => new Uri(cluster.Orchestrators.Single(o => o.Port == c.ApiPort).Url));
        using var local = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var call = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var after = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var total = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var failures = 0;

        for (var i = 0; i < deploys + 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            PlacedAgent agent;
            try
            {
                agent = (await cluster.Api.DeployAsync(DeployRequests.Trading(agentConfig: new { strategy = "momentum", symbol = "ETH-USD" },
                    deploymentStrategy: "least_loaded"))).Agents[0];
            }
            catch (ManagerProblemException)
            {
                failures++;
                continue;
            }
            var returned = Stopwatch.GetTimestamp();
            var id = agent.AgentId;
            var orchestrator = nodes[agent.ContainerId];
            if (!await WaitRunningAsync(local, new Uri(orchestrator, $"/api/v1/agents/{id}"))) failures++;
            var running = Stopwatch.GetTimestamp();
            if (i >= 5) // the first few warm up JIT and connections
            {
                call.RecordValue(returned - started > 0 ? Ticks(started, returned) : 0);
                after.RecordValue(Ticks(returned, running));
                total.RecordValue(Ticks(started, running));
            }
            await cluster.Api.DeleteAgentAsync(id);
        }
        return new Result(call, after, total, failures);
    }

    private static async Task<bool> WaitRunningAsync(HttpClient local, Uri agent)
    {
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (Stopwatch.GetTimestamp() < until)
        {
            var response = await local.GetAsync(agent);
            if (response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.NodeAgent))?.State == AgentStates.Running) return true;
            await Task.Delay(1);
        }
        return false;
    }

    private static long Ticks(long from, long to) => Stopwatch.GetElapsedTime(from, to).Ticks;
}
