using Orchestrator.Protocol;
using Orchestrator.Tests.Failure;

namespace Orchestrator.Tests.Network;

// What every network-tier test starts and ends with.
public static class NetworkTier
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    // Skips the test, with the one reason, on a machine that cannot create network namespaces (not root,
    // no iproute2/nftables, a sandbox that refuses them). A skip is reported as skipped, never as passed.
    public static async Task RequireNamespacesAsync()
    {
        var reason = await NetworkLab.UnavailableBecauseAsync();
        Skip.If(reason is not null, $"network tier skipped: {reason}");
    }

    // Outbound only, proven: no connection from the vendor's namespace into any customer network was even
    // attempted, while the customers' own connections to the vendor were counted (the counters count).
    public static async Task<FirewallCounters> AssertOutboundOnlyAsync(NetworkCluster cluster)
    {
        var counters = await cluster.Lab.CountersAsync();
        Assert.True(counters.VendorToCustomerAttempts == 0, $"the vendor side tried to open connections into customer networks: {counters}");
        Assert.True(counters.CustomersToVendor > 0, $"no customer→vendor connection was counted, so the counters prove nothing: {counters}");
        return counters;
    }

    // Deploys `replicas` trading agents with the policy (least_loaded spreads them) and waits until each runs
    // on its node (asked from the customer's side) and the manager shows it running.
    public static async Task<IReadOnlyList<(string AgentId, LabNode Host)>> DeployRunningAsync(this NetworkCluster cluster, string policy, int replicas)
    {
        var response = await cluster.Api.DeployAsync(DeployRequests.Trading(replicas, policy));
        var names = (await cluster.Api.ListAllContainersAsync()).ToDictionary(c => c.ContainerId, c => c.ContainerName);
        var placed = response.Agents.Select(a => (a.AgentId, Host: cluster.Node(names[a.ContainerId]))).ToList();
        foreach (var (agentId, host) in placed)
        {
            await cluster.WaitAsync(async () => (await host.RunningAgentIdsAsync()).Contains(agentId), Deadline, $"{agentId} to run on {host.Name}");
            await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(agentId)).State == AgentStates.Running, Deadline,
                $"the manager to show {agentId} running");
        }
        return placed;
    }

    public static async Task<NodeAgent> LocalAgentAsync(this LabNode node, string agentId) =>
        await node.AgentAsync(agentId) ?? throw new InvalidOperationException($"{agentId} is not on {node.Name}");

    public static RunningAgentSampler Sampler(this NetworkCluster cluster) => RunningAgentSampler.Start(cluster.Nodes);
}
