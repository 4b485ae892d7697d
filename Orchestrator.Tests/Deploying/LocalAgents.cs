using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deploying;

// What the orchestrators' own local APIs say runs on them.
public static class LocalAgents
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyDictionary<string, string>> StatesAsync(ClusterFixture cluster, string orchestrator)
    {
        using var client = cluster.CreateClient(orchestrator);
        var list = await client.GetFromJsonAsync(NodeRoutes.Agents, ProtocolJsonContext.Default.NodeAgentList);
        return list!.Agents.ToDictionary(a => a.AgentId, a => a.State);
    }

    public static Task WaitUntilAsync(ClusterFixture cluster, string what, Func<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>, bool> condition) =>
        Testing.Deadline.UntilAsync(async () =>
        {
            var all = new Dictionary<string, IReadOnlyDictionary<string, string>>();
            foreach (var orchestrator in cluster.Orchestrators) all[orchestrator] = await StatesAsync(cluster, orchestrator);
            return condition(all);
        }, Deadline, what, TimeSpan.FromMilliseconds(200));
}
