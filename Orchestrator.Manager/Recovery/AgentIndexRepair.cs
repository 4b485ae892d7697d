using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// Lists agents a deploy committed but never indexed: the manager placing them died between committing a
// container's share and adding its agents to the agents index (AgentPlacer's last step). Their node runs
// them, yet GET /cluster/agents would never show them, so no operator could find or stop them. On the liveness
// leader, at most every RepairEvery: every container's desired set is checked against the index (one
// SMISMEMBER per shard), and each agent missing from it is listed by AgentScripts.IndexIfPlaced, which
// skips an agent whose deploy may still be under way.
public sealed class AgentIndexRepair(ContainerStore containers, IConnectionMultiplexer redis, TimeProvider time,
    IOptions<SchedulingOptions> scheduling, ILogger<AgentIndexRepair> logger)
{
    // Rare: the fault it mends needs a manager to die in a window of milliseconds, and a pass reads every desired set.
    public static readonly TimeSpan RepairEvery = TimeSpan.FromMinutes(10);

    private DateTimeOffset? _last;

    // Returns how many agents it listed. force: run now whatever the time since the last pass (tests).
    public async Task<int> PassAsync(bool force = false)
    {
        var now = time.GetUtcNow();
        if (!force && _last is { } last && now - last < RepairEvery) return 0;
        _last = now;
        var db = redis.GetDatabase();
        var desired = (await containers.AllIdsAsync()).Select(id => (id, read: db.HashKeysAsync(RedisKeys.DesiredAgents(id)))).ToList();
        var placed = new List<(string Container, string Agent)>();
        foreach (var (id, read) in desired) placed.AddRange((await read).Select(agent => (id, agent.ToString())));
        var checks = placed.GroupBy(p => ContainerShards.Of(p.Agent)).Select(shard => (agents: shard.ToList(),
            listed: db.SetContainsAsync(RedisKeys.AgentIds(shard.Key), shard.Select(p => (RedisValue)p.Agent).ToArray()))).ToList();
        // A deploy still under way (it holds its reservations at most ReservationTimeout) indexes or discards its own agents.
        var createdBefore = (now - scheduling.Value.ReservationTimeout * 2).ToUnixTimeMilliseconds();
        var listedNow = 0;
        foreach (var (agents, listed) in checks)
        {
            var inIndex = await listed;
            for (var i = 0; i < agents.Count; i++)
            {
                if (inIndex[i]) continue;
                var (container, agent) = agents[i];
                var result = (int)await AgentScripts.IndexIfPlaced.EvaluateAsync(db, new AgentScripts.IndexIfPlacedArgs(
                    Agent: RedisKeys.Agent(agent), Index: RedisKeys.AgentIdsOf(agent), AgentId: agent, Container: container,
                    CreatedBefore: createdBefore));
                if (result != 1) continue;
                listedNow++;
                logger.LogWarning("Agent {AgentId} on container {ContainerId} was placed but not listed (its deploy's manager stopped halfway); listed now",
                    agent, container);
            }
        }
        return listedNow;
    }
}
