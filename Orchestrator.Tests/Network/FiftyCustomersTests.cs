using System.Diagnostics;
using Orchestrator.Protocol;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Network;

// Fifty customers, each its own namespace, address and hostname, with nodes already waiting when the manager
// comes up: every node registers within one heartbeat interval, and a deploy spreads across all of them.
[Collection(NetworkCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Network)]
public sealed class FiftyCustomersTests(ITestOutputHelper output)
{
    private const int Customers = 50;
    private const int HeartbeatSeconds = 10;

    [SkippableFact]
    public async Task FiftyNodesInFiftyNetworksRegisterWithinOneHeartbeatIntervalOfTheManagerComingUpAndADeploySpreadsAcrossThem()
    {
        await NetworkTier.RequireNamespacesAsync();
        var started = Stopwatch.StartNew();
        await using var cluster = await NetworkCluster.StartAsync(new()
        {
            Customers = Customers,
            HeartbeatSeconds = HeartbeatSeconds,
            StartManager = false,
            MaxAgentsPerNode = 2,
            StartupDeadline = TimeSpan.FromMinutes(5),
            // Workstation GC: fifty processes with a server GC heap per core each would crowd a small CI machine.
            NodeEnvironment = new() { ["DOTNET_gcServer"] = "0", ["DOTNET_TieredPGO"] = "0" },
            // Fifty idle .NET processes on a small machine: leases and lost windows of the seed's proportions.
            AgentLease = TimeSpan.FromSeconds(10),
            RescheduleAfter = TimeSpan.FromSeconds(15),
        });
        output.WriteLine($"lab of {Customers} customers and their nodes up in {started.Elapsed.TotalSeconds:0.0} s");

        await cluster.Manager.StartAsync();
        var managerUp = DateTimeOffset.UtcNow;
        await cluster.WaitAllHealthyAsync(TimeSpan.FromSeconds(60));
        var containers = await cluster.Api.ListAllContainersAsync();
        var lastRegistered = containers.Max(c => c.RegisteredAt) - managerUp;
        output.WriteLine($"all {Customers} registered {lastRegistered.TotalSeconds:0.00} s after the manager answered /health");
        Assert.True(lastRegistered <= TimeSpan.FromSeconds(HeartbeatSeconds),
            $"the last node registered {lastRegistered.TotalSeconds:0.00} s after the manager came up, more than one {HeartbeatSeconds} s heartbeat interval");
        // Each from its own network, under its own address.
        Assert.Equal(Enumerable.Range(1, Customers).Select(n => $"10.200.{n}.2").Order(), containers.Select(c => c.HostAddress).Order());

        var deployed = await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: Customers));
        Assert.Equal(Customers, deployed.Agents.Select(a => a.ContainerId).Distinct().Count());
        var names = containers.ToDictionary(c => c.ContainerId, c => c.ContainerName);
        await Task.WhenAll(deployed.Agents.Select(agent => cluster.WaitAsync(
            async () => (await cluster.Node(names[agent.ContainerId]).RunningAgentIdsAsync()).Contains(agent.AgentId), TimeSpan.FromSeconds(60),
            $"{agent.AgentId} to run on {names[agent.ContainerId]}")));
        await cluster.WaitAsync(async () => (await cluster.Api.ListAgentsAsync()).Agents.Count(a => a.State == AgentStates.Running) == Customers,
            TimeSpan.FromSeconds(60), "the manager to show every agent running");
        output.WriteLine($"deploy of {Customers} spread one per node and running in {started.Elapsed.TotalSeconds:0.0} s in all");

        await NetworkTier.AssertOutboundOnlyAsync(cluster);
    }
}
