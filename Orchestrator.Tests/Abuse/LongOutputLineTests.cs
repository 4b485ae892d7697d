using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Failure;

namespace Orchestrator.Tests.Abuse;

// Real processes: redis-server, the manager and a node, and a process agent whose one output line is
// 70 KB (past the manager's 64 KiB body limit). The node cuts it to 1 KiB, so its heartbeats still fit.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class LongOutputLineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task AProcessAgentPrintingASeventyKilobyteLineLeavesItsNodeHealthy()
    {
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 1,
            OrchestratorEnvironment = new() { ["ALLOWED_COMMANDS"] = "/bin/sh" },
        });
        var node = cluster.Orchestrators[0];
        var deployed = await cluster.Api.DeployAsync(new DeployRequest("process", JsonSerializer.SerializeToElement(new
        {
            command = "/bin/sh",
            // 70,000 characters with no newline, then a crash: the whole line becomes the agent's last_error.
            args = new[] { "-c", "head -c 70000 /dev/zero | tr '\\0' x; echo; exit 3" },
        }), null));
        var agentId = deployed.Agents[0].AgentId;

        // The crash (and its error) reaches the manager more than once: reports and heartbeats get through.
        var agent = await cluster.PollAsync(async () =>
        {
            var view = await cluster.Api.GetAgentAsync(agentId);
            return view.Restarts >= 2 && view.Error is not null ? view : null;
        }, Deadline, "the crashing agent's restarts and error to reach the manager");
        var error = agent.Error!;
        Assert.Contains("exited with code 3", error);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(error) <= 1024, $"error of {error.Length} characters");

        // Over five heartbeat intervals, every heartbeat is accepted: the container never stops being healthy.
        var firstBeat = (await cluster.ContainerAsync(node)).LastHeartbeat;
        var until = DateTime.UtcNow + cluster.Options.LostAfter + TimeSpan.FromSeconds(2);
        while (DateTime.UtcNow < until)
        {
            var container = await cluster.ContainerAsync(node);
            Assert.Equal("healthy", container.Status);
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        Assert.NotEqual(firstBeat, (await cluster.ContainerAsync(node)).LastHeartbeat);
        Assert.True(node.IsRunning);
        // No 413 (request too large) answer in the node's log: the status on its own, not inside an id or a time
        // (a container id such as ctr-7f8087f8413a402d once matched a plain substring check).
        Assert.DoesNotMatch(@"(?<![\w.:])413(?![\w.:])", node.Log);

        // The node's local API shows the output cut too.
        var local = await node.AgentAsync(agentId);
        Assert.NotNull(local);
    }
}
