using System.Diagnostics;
using System.Globalization;
using Orchestrator.Protocol;
using Orchestrator.Tests.Failure;
using Orchestrator.Tests.Operators;

namespace Orchestrator.Tests.Connection;

// A real node against a real manager (issue 27): refused for its protocol, it keeps its agents; given two manager
// URLs with the first dead, it registers through the second. One manager and one node (CliClusterFixture's shape);
// each test restarts the node with its own settings and puts it back as it was.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class NodeConnectionClusterTests(CliClusterFixture fixture) : IClassFixture<CliClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;
    private OrchestratorNode Node => Cluster.Orchestrators[0];

    [Fact]
    public async Task ANodeSpeakingAProtocolTwoVersionsOldIsRefusedWith426LogsItOnceAndKeepsRunningItsAgents()
    {
        var agent = (await Cluster.DeployRunningAsync("keep", 1)).Single();
        try
        {
            // Manager:ProtocolVersion exists for tests only: the node claims protocol N-2 while it speaks N.
            Cluster.Options.OrchestratorEnvironmentOf[Node.Index] = new()
            {
                ["Manager__ProtocolVersion"] = (NodeProtocol.Current - 2).ToString(CultureInfo.InvariantCulture),
            };
            await Node.RestartAsync();
            const string refused = "The manager refuses this node's protocol";
            await Cluster.WaitAsync(() => Task.FromResult(Node.Log.Contains(refused, StringComparison.Ordinal)), FailureScenario.Deadline,
                "the node to log the 426");
            var line = Node.Log.Split('\n').Single(l => l.Contains(refused, StringComparison.Ordinal));
            Assert.Contains($"versions {NodeProtocol.Current} and {NodeProtocol.Current - 1}", line);

            // The manager never takes it back: its container goes lost, while the node runs its keep agent (from its
            // state file) all along and does not stop or crash.
            await Cluster.WaitAsync(async () => await Cluster.ContainerStatusAsync(Node) == ContainerStatus.Lost, FailureScenario.Deadline,
                "the manager to count the refused node lost");
            Assert.True(Node.IsRunning, Cluster.Logs());
            Assert.Contains(agent.AgentId, await Node.RunningAgentIdsAsync());
            Assert.Equal(0, (await Node.LocalAgentAsync(agent.AgentId)).Restarts);
            Assert.Single(Node.Log.Split('\n'), l => l.Contains(refused, StringComparison.Ordinal)); // one line, retried only after 15 minutes
        }
        finally
        {
            Cluster.Options.OrchestratorEnvironmentOf.Remove(Node.Index);
            await Node.RestartAsync();
        }
        await Cluster.WaitAsync(async () => await Cluster.ContainerStatusAsync(Node) == ContainerStatus.Healthy, FailureScenario.Deadline,
            "the node, back on protocol N, to register again");
    }

    [Fact]
    public async Task WithTwoManagerUrlsTheFirstDeadTheNodeRegistersThroughTheSecondOnItsFirstAttempt()
    {
        const string registered = "Registered as container";
        const string failed = "Registration failed";
        var dead = $"http://127.0.0.1:{FreePort.Next()}"; // a loopback port nobody listens on
        var live = Node.Link?.Url ?? Cluster.ManagerUrl;
        var (registeredBefore, failedBefore) = (Count(registered), Count(failed));
        try
        {
            // The node's own interval before it registers (the manager's 1 s replaces it after): what a failed attempt would wait.
            Cluster.Options.OrchestratorEnvironmentOf[Node.Index] = new() { ["CENTRAL_MANAGER_URL"] = $"{dead},{live}", ["HEARTBEAT_INTERVAL"] = "5" };
            Node.Kill();
            await Node.StartAsync();
            var sinceHealthy = Stopwatch.StartNew();
            await Cluster.WaitAsync(() => Task.FromResult(Count(registered) > registeredBefore), FailureScenario.Deadline,
                "the node to register through the second URL");
            var elapsed = sinceHealthy.Elapsed;

            // No failed attempt, so no backoff: the dead URL cost one refused connection, not an interval.
            Assert.True(Count(failed) == failedBefore, Node.Log);
            Assert.True(elapsed <= TimeSpan.FromSeconds(5), $"registered {elapsed.TotalSeconds:0.00} s after the node answered /health; the interval is 5 s");
            Assert.Contains($"Manager {dead}/ could not be reached; using {live}/", Node.Log);
            await Cluster.WaitAsync(async () => await Cluster.ContainerStatusAsync(Node) == ContainerStatus.Healthy, FailureScenario.Deadline,
                "the node to heartbeat through the second URL");
        }
        finally
        {
            Cluster.Options.OrchestratorEnvironmentOf.Remove(Node.Index);
            await Node.RestartAsync();
        }
    }

    private int Count(string text) => Node.Log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
}
