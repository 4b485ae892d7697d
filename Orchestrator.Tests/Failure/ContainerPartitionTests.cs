using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Containers;

namespace Orchestrator.Tests.Failure;

// Container agents under the lease fence, with real node processes on one real podman service (told apart by the
// driver's node label): the fence is what keeps a moved bot from trading twice, so the proof is taken from the engine.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class ContainerPartitionTests(ContainerEngineFixture engine) : IClassFixture<ContainerEngineFixture>
{
    [SkippableFact]
    public async Task ACutOffNodeStopsAndRemovesItsRescheduleContainerBeforeTheManagerMovesItAndNoContainerAgentRunsTwiceAtAnySampledMoment()
    {
        Skip.If(engine.Unavailable is not null, engine.Unavailable);
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 2,
            NodeCapabilities = ["agent_runner", "orchestrator_cluster", ContainerAgentConfig.Capability],
            OrchestratorEnvironment = new(engine.Podman.NodeEnvironment) { ["Containers__InspectPeriod"] = "00:00:00.25" },
        });
        var nodes = cluster.Orchestrators.Select(o => o.ContainerName).ToList();
        nodes.ForEach(engine.Track);
        await cluster.WaitAsync(async () =>
        {
            foreach (var node in cluster.Orchestrators)
                if (!(await cluster.ContainerAsync(node)).Capabilities.Contains(ContainerAgentConfig.Capability)) return false;
            return true;
        }, TimeSpan.FromSeconds(90), "both nodes to advertise the container capability (their engine answers)");

        // A bot that stops on SIGTERM, as the sample bot does (a PID 1 `sleep` ignores it and would be killed only after its
        // stop timeout, and the manager moves the agent RESCHEDULE_AFTER past lost, not past the agent's stop timeout).
        var config = JsonSerializer.SerializeToElement(new
        {
            image = engine.Busybox.DigestReference,
            command = new[] { "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done" },
            network = "none",
            stop_timeout_seconds = 2,
        });
        var response = await cluster.Api.DeployAsync(new DeployRequest(ContainerAgentConfig.AgentType, config, null, 2, OnClusterLoss: "reschedule"));
        var names = (await cluster.Api.ListAllContainersAsync()).ToDictionary(c => c.ContainerId, c => c.ContainerName);
        var placed = response.Agents.Select(a => (a.AgentId, Host: cluster.Orchestrator(names[a.ContainerId]))).ToList();
        foreach (var (agentId, host) in placed)
        {
            await cluster.WaitAsync(async () => (await host.RunningAgentIdsAsync()).Contains(agentId), TimeSpan.FromSeconds(60),
                $"{agentId} to run in a container on {host.Name}");
            await cluster.WaitAsync(async () => await cluster.StateAsync(agentId) == AgentStates.Running, FailureScenario.Deadline,
                $"the manager to show {agentId} running");
        }
        await using var sampler = EngineContainerSampler.Start(engine.Podman, nodes);
        var island = cluster.Orchestrators[0];
        var moving = placed.Single(a => a.Host == island).AgentId;
        var container = (string)(await island.LocalAgentAsync(moving)).Figures!["container_id"]!;
        await cluster.WaitAsync(() => Task.FromResult(sampler.FirstSeenRunning(island.ContainerName, moving) is not null),
            FailureScenario.Deadline, "the engine sampler to see the container running");

        island.CutOffFromManager();
        // The fence stops the container and removes it (the engine no longer has it at all) before the manager moves the agent.
        var removedAt = await cluster.PollAsync(async () =>
            (await island.LocalAgentAsync(moving)).State == AgentStates.Stopped && !await ExistsAsync(container) ? (DateTime?)DateTime.UtcNow : null,
            FailureScenario.Deadline, "the cut-off node to fence its reschedule container and remove it");
        Assert.StartsWith("fenced: no contact", (await island.LocalAgentAsync(moving)).LastError);
        var newHost = await cluster.WaitRunningElsewhereAsync(moving, island, TimeSpan.FromSeconds(60));
        await cluster.WaitAsync(() => Task.FromResult(sampler.FirstSeenRunning(newHost.ContainerName, moving) is not null),
            FailureScenario.Deadline, "the engine sampler to see the replacement container running");
        var replacementAt = sampler.FirstSeenRunning(newHost.ContainerName, moving)!.Value;
        var lastOnIsland = sampler.LastSeenRunning(island.ContainerName, moving)!.Value;
        Assert.True(removedAt < replacementAt, $"removed by {removedAt:HH:mm:ss.fff}, replacement seen running at {replacementAt:HH:mm:ss.fff}");
        Assert.True(lastOnIsland < replacementAt, $"last seen on {island.Name} at {lastOnIsland:HH:mm:ss.fff}, replacement at {replacementAt:HH:mm:ss.fff}");

        // The path comes back: the node drops the agent that moved away and starts no container for it again.
        island.ReconnectToManager();
        await cluster.WaitAsync(async () => await island.AgentAsync(moving) is null, FailureScenario.Deadline,
            "the reconnected node to drop the agent that moved away");
        await sampler.StopAsync();
        sampler.AssertNoDuplicates();
        Assert.False(sampler.LastSeenRunning(island.ContainerName, moving) > removedAt, $"{island.Name} ran {moving} again after fencing it");
    }

    private async Task<bool> ExistsAsync(string container)
    {
        using var client = engine.Podman.CreateClient(TimeSpan.FromSeconds(5));
        using var response = await client.GetAsync($"containers/{container}/json");
        return response.IsSuccessStatusCode;
    }
}
