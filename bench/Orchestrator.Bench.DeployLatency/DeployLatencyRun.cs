using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;
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
        var nodes = (await cluster.Api.ContainersAsync()).ToDictionary(
            c => (string)c["container_id"]!, c => new Uri(cluster.Orchestrators.Single(o => o.Port == (int)c["api_port"]!).Url));
        using var local = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var call = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var after = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var total = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var failures = 0;

        for (var i = 0; i < deploys + 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            System.Text.Json.Nodes.JsonObject deployed;
            try
            {
                deployed = await cluster.Api.DeployAsync("trading_agent", agentConfig: new { strategy = "momentum", symbol = "ETH-USD" },
                    deploymentStrategy: "least_loaded");
            }
            catch (InvalidOperationException)
            {
                failures++;
                continue;
            }
            var returned = Stopwatch.GetTimestamp();
            var agent = deployed["agents"]![0]!;
            var id = (string)agent["agent_id"]!;
            var orchestrator = nodes[(string)agent["container_id"]!];
            if (!await WaitRunningAsync(local, new Uri(orchestrator, $"/api/v1/agents/{id}"))) failures++;
            var running = Stopwatch.GetTimestamp();
            if (i >= 5) // the first few warm up JIT and connections
            {
                call.RecordValue(returned - started > 0 ? Ticks(started, returned) : 0);
                after.RecordValue(Ticks(returned, running));
                total.RecordValue(Ticks(started, running));
            }
            (await cluster.Api.SendAsync(HttpMethod.Delete, $"/api/v1/cluster/agents/{id}")).Dispose();
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
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() == "running") return true;
            await Task.Delay(1);
        }
        return false;
    }

    private static long Ticks(long from, long to) => Stopwatch.GetElapsedTime(from, to).Ticks;
}
