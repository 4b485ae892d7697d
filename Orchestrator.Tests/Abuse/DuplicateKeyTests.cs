using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using Orchestrator.Tests.Failure;
using StackExchange.Redis;

namespace Orchestrator.Tests.Abuse;

// Issue 30 item 3, with the payloads, on real processes (redis-server, a manager, a node that may run
// /bin/sleep). A key twice in agent_config meant one thing to the manager (the last) and another to the node,
// and "env":{"FOO":"1","FOO":"2"} made the node's long-poll throw on every poll, so it took nothing new.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class DuplicateKeyTests(DuplicateKeyTests.SleepCluster fixture) : IClassFixture<DuplicateKeyTests.SleepCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // One manager and one node that may run /bin/sleep, shared by both tests.
    public sealed class SleepCluster : IAsyncLifetime
    {
        public ProcessCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync() => Cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 1,
            OrchestratorEnvironment = new() { ["ALLOWED_COMMANDS"] = "/bin/sleep" },
        });

        public async Task DisposeAsync()
        {
            if (Cluster is not null) await Cluster.DisposeAsync();
        }
    }

    private ProcessCluster Cluster => fixture.Cluster;

    private const string DuplicateVariable = """{"agent_type":"process","agent_config":{"command":"/bin/sleep","args":["500"],"env":{"FOO":"1","FOO":"2"}}}""";

    private const string TwoEnvObjects = """{"agent_type":"process","agent_config":{"command":"/bin/sleep","args":["500"],"env":{"LD_PRELOAD":"/tmp/hook.so"},"env":{"FOO":"1"}}}""";

    private static DeployRequest Sleep() => new("process", JsonSerializer.SerializeToElement(new { command = "/bin/sleep", args = new[] { "500" } }), null);

    [Fact]
    public async Task ADeployWithAKeyTwiceAnywhereInItsBodyIsRefusedWithAProblemNamingTheKey()
    {
        var cluster = Cluster;
        using var http = new HttpClient { BaseAddress = new Uri(cluster.ManagerUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await cluster.Api.GetTokenAsync());

        // At the door: 400 problem+json naming the duplicate key, and nothing placed.
        foreach (var (body, field) in new[]
        {
            (DuplicateVariable, "agent_config.env.FOO"),
            (TwoEnvObjects, "agent_config.env"),
            ("""{"agent_type":"process","agent_type":"trading_agent"}""", "agent_type"),
        })
        {
            using var response = await http.PostAsync(ManagerRoutes.Deploy.TrimStart('/'), new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} answered {(int)response.StatusCode}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), $"{field} not named in {text}");
        }
        Assert.DoesNotContain((await cluster.Api.ListAgentsAsync()).Agents, a => a.AgentConfig.GetRawText().Contains("FOO", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANodeFailsAnAssignmentWithAKeyTwiceAloneAndKeepsTakingNewOnes()
    {
        var cluster = Cluster;

        // Past the manager: a compromised or older manager writes both configs into the node's desired state in
        // Redis by hand (two agents placed normally, their assignments rewritten, the generation bumped).
        var node = cluster.Orchestrators[0];
        var bad = new[] { (await cluster.Api.DeployAsync(Sleep())).Agents[0], (await cluster.Api.DeployAsync(Sleep())).Agents[0] };
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString))
        {
            var db = redis.GetDatabase();
            var containerId = bad[0].ContainerId;
            foreach (var (agent, body) in bad.Zip([DuplicateVariable, TwoEnvObjects]))
            {
                var config = body[(body.IndexOf("\"agent_config\":", StringComparison.Ordinal) + "\"agent_config\":".Length)..^1];
                await db.HashSetAsync(RedisKeys.DesiredAgents(containerId), agent.AgentId,
                    $$"""{"agent_id":"{{agent.AgentId}}","agent_type":"process","agent_config":{{config}},"epoch":1,"on_cluster_loss":"keep"}""");
            }
            var generation = await db.HashIncrementAsync(RedisKeys.Container(containerId), "generation");
            await redis.GetSubscriber().PublishAsync(RedisKeys.ContainerChanged(containerId), generation);
        }

        // Each fails alone, reported with its reason; neither ran (no LD_PRELOAD reached a process).
        foreach (var (agent, field) in bad.Zip(["agent_config.env.FOO", "agent_config.env"]))
        {
            var view = await cluster.PollAsync(async () =>
                await cluster.Api.GetAgentAsync(agent.AgentId) is { ReportedState: AgentStates.Failed } failed ? failed : null,
                Deadline, $"agent {agent.AgentId} reported failed");
            Assert.Contains(field, view.Error);
        }
        // The long-poll carries on: an agent deployed after them runs.
        var after = (await cluster.Api.DeployAsync(Sleep())).Agents[0];
        await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(after.AgentId)).ReportedState == AgentStates.Running,
            Deadline, "an agent deployed after the bad ones to run");
        Assert.DoesNotContain("Key: FOO", node.Log);
    }
}
