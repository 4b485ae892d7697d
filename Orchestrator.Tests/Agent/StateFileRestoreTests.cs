using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Agent;

// Autonomy: desired agents in DATA_DIR are started again after a node restart while the manager is unreachable.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class StateFileRestoreTests : IDisposable
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);
    private readonly string _data = Directory.CreateTempSubdirectory("orchestrator-state-").FullName;

    [Fact]
    public async Task StateFileRestoresAgentsAfterANodeRestartWithNoManager()
    {
        File.WriteAllText(Path.Combine(_data, "desired-state.json"), """
            {"generation":3,"agents":[
              {"agent_id":"agt-momentum","agent_type":"trading_agent","agent_config":{"strategy":"momentum","tick_interval_ms":20},"epoch":1},
              {"agent_id":"agt-reversion","agent_type":"trading_agent","agent_config":{"strategy":"mean_reversion","tick_interval_ms":20},"epoch":2}]}
            """);
        var port = FreePort.Next();
        var environment = SeedVariables.SharedPasswordCompose($"http://127.0.0.1:{FreePort.Next()}", port, _data);

        for (var run = 1; run <= 2; run++)
        {
            await using var node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(environment));
            await node.WaitForHttpAsync($"http://127.0.0.1:{port}/health", Startup);
            using var http = new HttpClient();
            var agents = await Deadline.PollAsync(async () =>
            {
                var list = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/agents"))!["agents"]!.AsArray();
                return list.Count == 2 && list.All(a => (string?)a!["state"] == "running" && (long)a["figures"]!["ticks_processed"]! > 5) ? list : null;
            }, Startup, $"both agents running and ticking (run {run})");
            Assert.Equal(["agt-momentum", "agt-reversion"], agents.Select(a => (string?)a!["agent_id"]));
            Assert.Equal(2, (long)agents[1]!["epoch"]!);
            node.Kill();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
