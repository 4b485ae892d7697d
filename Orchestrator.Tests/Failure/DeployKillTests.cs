using System.Diagnostics;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using StackExchange.Redis;

namespace Orchestrator.Tests.Failure;

// A deploy spanning containers holds capacity on each (a reservation) between reserving and committing. A manager
// killed (-9) in that window releases nothing: its reservations must expire by themselves within
// Scheduling:ReservationTimeout, on a Redis Cluster where the containers sit in different slots.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class DeployKillTests
{
    private static readonly TimeSpan ReservationTimeout = TimeSpan.FromSeconds(3);
    // Redis expires a key within 100 ms of its time (active expiry); the rest is the poll and a loaded machine.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);
    // A reservation lives milliseconds (Reserve to Commit), so a plain kill rarely lands inside one. The manager is
    // frozen (SIGSTOP) instead, at once, as soon as one is seen; if one is still held it is killed frozen, otherwise
    // thawed to try again. Each try costs milliseconds, not a manager restart.
    private const int Tries = 500;

    [Fact]
    public async Task AManagerKilledInTheMiddleOfDeploysLeavesNoCapacityReservedLongerThanTheReservationTimeout()
    {
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 3, MaxAgentsPerOrchestrator = 12, RedisClusterMasters = 3,
            ManagerEnvironment = { ["Scheduling__ReservationTimeout"] = ReservationTimeout.ToString("c") },
        });
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.RedisUrl);
        var db = redis.GetDatabase();
        var containers = (await cluster.Api.ListAllContainersAsync()).ToList();
        var manager = cluster.Managers[0];

        // Deploys of three replicas (least_loaded spreads them over the three containers, so each reserves) and
        // their removal, in a loop, until the manager is frozen while at least one reservation is held.
        var leftAtKill = 0L;
        using (var storm = new CancellationTokenSource())
        {
            var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(() => DeployAndRemoveAsync(cluster, storm.Token))).ToList();
            for (var attempt = 1; attempt <= Tries && leftAtKill == 0; attempt++)
            {
                await cluster.WaitAsync(async () => await HeldAsync(db, containers) > 0, FailureScenario.Deadline, "a deploy to hold a reservation");
                manager.Freeze();
                leftAtKill = await HeldAsync(db, containers);
                if (leftAtKill > 0) manager.Kill();
                else manager.Thaw();
            }
            await storm.CancelAsync();
            await Task.WhenAll(loops);
        }
        Assert.True(leftAtKill > 0, $"no freeze in {Tries} tries landed while a reservation was held");
        var killedAt = Stopwatch.StartNew();

        await cluster.WaitAsync(async () => await HeldAsync(db, containers) == 0, ReservationTimeout + Slack + TimeSpan.FromSeconds(10),
            "the dead manager's reservations to expire");
        Assert.True(killedAt.Elapsed <= ReservationTimeout + Slack,
            $"{leftAtKill} reservation entries outlived the manager by {killedAt.Elapsed.TotalSeconds:0.0}s; timeout {ReservationTimeout.TotalSeconds}s");
        // Whatever shares the killed deploys committed are counted where they landed: no slot is held by nothing.
        foreach (var container in containers)
            Assert.Equal((long)(int)await db.HashGetAsync(RedisKeys.Container(container.ContainerId), "assigned_agents"),
                await db.HashLengthAsync(RedisKeys.DesiredAgents(container.ContainerId)));

        // The free capacity is all usable again by a new manager.
        await manager.StartAsync();
        // With the only manager dead the nodes could not heartbeat: placement waits until they are healthy again.
        await cluster.WaitAsync(async () => (await cluster.Api.ListAllContainersAsync()).All(c => c.Status == ContainerStatus.Healthy),
            FailureScenario.Deadline, "every orchestrator healthy again on the restarted manager");
        var free = (await cluster.Api.ListAllContainersAsync()).Sum(c => c.MaxAgents - c.AssignedAgents);
        Assert.True(free > 0, "every slot is taken");
        var deployed = await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: free));
        Assert.Equal(free, deployed.Agents.Count);
    }

    // Live reservation entries on the containers, as Redis holds them now.
    private static async Task<long> HeldAsync(IDatabase db, IEnumerable<ContainerView> containers)
    {
        long held = 0;
        foreach (var container in containers) held += await db.HashLengthAsync(RedisKeys.Reservations(container.ContainerId));
        return held;
    }

    private static async Task DeployAndRemoveAsync(ProcessCluster cluster, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var deployed = await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: 3), cancellationToken: stop);
                foreach (var agent in deployed.Agents) await cluster.Api.DeleteAgentAsync(agent.AgentId, stop);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ManagerProblemException or System.Net.Sockets.SocketException or IOException)
            {
                // The manager is gone, or a deploy found no room: this loop's work is only to keep reservations coming.
                if (stop.IsCancellationRequested) return;
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }
}
