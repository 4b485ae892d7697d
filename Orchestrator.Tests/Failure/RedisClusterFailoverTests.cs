using System.Diagnostics;
using System.Net.Http.Json;
using Orchestrator.Manager.Redis;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Failure;

// A Redis Cluster of three masters and three replicas loses one master to kill -9. Its replica is promoted
// (cluster-node-timeout 2 s here), and the manager carries on: heartbeats to the containers whose shard lived
// on the dead master fail only until then, and no container or agent is lost or duplicated. Prints how long writes failed.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class RedisClusterFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task TheManagerCarriesOnAfterAMasterIsKilledAndItsReplicaPromotedWithNoContainerOrAgentLostOrDuplicated()
    {
        await using var cluster = await RedisClusterHost.StartAsync(new() { Masters = 3, ReplicasPerMaster = 1, AppendOnly = true, NodeTimeout = NodeTimeout });
        await using var manager = new ManagerFactory(cluster);
        using var admin = await manager.CreateAdminClientAsync();
        var names = Enumerable.Range(0, 30).Select(_ => Registrations.UniqueName()).ToList();
        var ids = new Dictionary<string, string>();
        foreach (var name in names) ids[name] = await admin.RegisterIdAsync(name);
        // Agents spread over every container, so over every master: each deploy's replicas span slots.
        var agents = new List<string>();
        for (var i = 0; i < 10; i++) agents.AddRange((await admin.DeployOkAsync(Spread(replicas: 3))).Agents.Select(a => a.AgentId));
        // Every registration reached the replicas before the crash (replication is asynchronous).
        foreach (var master in await cluster.CurrentMastersAsync()) await master.CliAsync("WAIT", "1", "5000");

        var victim = await cluster.MasterOfAsync(RedisKeys.Container(ids[names[0]]).ToString());
        var onVictim = new List<string>();
        foreach (var id in ids.Values)
            if ((await cluster.MasterOfAsync(RedisKeys.Container(id).ToString())).Port == victim.Port) onVictim.Add(id);

        // Heartbeats to the victim's containers, one after another, each answer timed.
        var clock = Stopwatch.StartNew();
        var answers = new List<(TimeSpan At, bool Ok)>();
        using var stop = new CancellationTokenSource();
        var beating = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = onVictim[i % onVictim.Count];
                bool ok;
                try { ok = (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id))).IsSuccessStatusCode; }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { ok = false; }
                lock (answers) answers.Add((clock.Elapsed, ok));
                await Task.Delay(20);
            }
        });
        await Deadline.UntilAsync(() => Task.FromResult(Count(answers, ok: true, after: TimeSpan.Zero) >= 10), TimeSpan.FromSeconds(10), "heartbeats to flow");

        var killedAt = clock.Elapsed;
        victim.Stop();
        await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(60));
        await Deadline.UntilAsync(() => Task.FromResult(Count(answers, ok: true, after: LastFailure(answers) ?? killedAt) >= 10),
            TimeSpan.FromSeconds(60), "heartbeats to succeed again after the failover");
        await stop.CancelAsync();
        await beating;

        var lastFailure = LastFailure(answers);
        var failed = answers.Count(a => !a.Ok);
        output.WriteLine($"{onVictim.Count} containers on the killed master; {failed} heartbeats failed; writes failed for " +
            $"{((lastFailure ?? killedAt) - killedAt).TotalMilliseconds:0} ms after the kill (cluster-node-timeout {NodeTimeout.TotalMilliseconds:0} ms)");
        Assert.True(failed > 0, "the kill should have interrupted the heartbeats");

        // Nothing lost, nothing duplicated: every container is there once, and registering its name again keeps its id.
        var listed = (await admin.ListContainersAsync("?limit=500")).Containers.Select(c => c.ContainerId).ToList();
        Assert.Equal(ids.Values.Order(), listed.Order());
        Assert.Equal(30, (await admin.GetStatusAsync()).TotalContainers);
        foreach (var (name, id) in ids) Assert.Equal(id, await RetryShortlyAsync(() => admin.RegisterIdAsync(name)));
        Assert.Equal(30, (await admin.GetStatusAsync()).TotalContainers);

        // Every agent is listed once and sits in exactly one container's desired set, counted there.
        Assert.Equal(agents.Order(), (await admin.ListAgentsAsync("?limit=500")).Agents.Select(a => a.AgentId).Order());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString);
        var db = redis.GetDatabase();
        var desired = new List<string>();
        foreach (var id in ids.Values)
        {
            var here = (await db.HashKeysAsync(RedisKeys.DesiredAgents(id))).Select(k => k.ToString()).ToList();
            Assert.Equal((long)here.Count, (long)await db.HashGetAsync(RedisKeys.Container(id), "assigned_agents"));
            desired.AddRange(here);
        }
        Assert.Equal(agents.Order(), desired.Order());
        // And the promoted replica takes new agents and removals: one more agent on every container, then all removed.
        // A 503 says "retry shortly" while the manager re-reads the topology after a failed connection: a client
        // retries it under one Idempotency-Key, so nothing is placed twice.
        var key = Guid.NewGuid().ToString("N");
        await Deadline.UntilAsync(async () => (await admin.DeployAsync(Spread(replicas: 30), key)).StatusCode != System.Net.HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "the deploy to stop answering 503 after the failover");
        var more = (await admin.DeployOkAsync(Spread(replicas: 30), key)).Agents.Select(a => a.AgentId).ToList();
        foreach (var agent in agents.Concat(more)) (await admin.DeleteAsync($"/api/v1/cluster/agents/{agent}")).EnsureSuccessStatusCode();
        Assert.Equal(0, (await admin.ListAgentsAsync("?limit=500")).Count);
        foreach (var id in ids.Values) Assert.Equal(0L, await db.HashLengthAsync(RedisKeys.DesiredAgents(id)));
    }

    private static object Spread(int replicas) => new
    {
        agent_type = "trading_agent", agent_config = new { strategy = "momentum" }, deployment_strategy = "least_loaded", replicas,
    };

    private static int Count(List<(TimeSpan At, bool Ok)> answers, bool ok, TimeSpan after)
    {
        lock (answers) return answers.Count(a => a.Ok == ok && a.At > after);
    }

    private static TimeSpan? LastFailure(List<(TimeSpan At, bool Ok)> answers)
    {
        lock (answers) return answers.Where(a => !a.Ok).Select(a => (TimeSpan?)a.At).LastOrDefault();
    }

    // A 503 "retry shortly" (the manager re-reading the topology after a failed connection, which CI saw once on a
    // register after the promotion) is retried as a node does, a bounded number of times; any other failure fails.
    private static async Task<T> RetryShortlyAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Xunit.Sdk.TrueException ex) when (attempt < 40 && ex.Message.Contains(": 503 ", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }
}
