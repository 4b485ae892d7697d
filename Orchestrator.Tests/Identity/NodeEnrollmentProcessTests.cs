using Orchestrator.Protocol.Client;
using System.Text.Json;
using Orchestrator.Protocol;
using System.Net;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Identity;

// The built manager and node as real processes: the node enrolls with an enrollment token, keeps its own
// credential, loses it on revocation, and keeps its secrets from the programs it runs.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class NodeEnrollmentProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string NodeSecret = "a-node-admin-password-that-must-not-leak";

    [Fact]
    public async Task EnrolledNodeSavesItsCredentialOwnerOnlyAndRestartsWithoutTheToken()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 1, HeartbeatSeconds = 1 });
        var node = cluster.Orchestrators[0];
        var before = await cluster.ContainerAsync(node);
        Assert.Equal("1", before.Metadata.GetProperty("orchestrator_id").ToString());

        var file = Path.Combine(node.DataDirectory, "node-credential");
        // Enrollment shows the container healthy before the node has read the answer: wait for the file.
        await cluster.WaitAsync(() => Task.FromResult(File.Exists(file)), Deadline, "the node to save its credential");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.StartsWith(before.ContainerId + ".", File.ReadAllText(file));
        Assert.DoesNotContain(File.ReadAllText(file), node.Log);

        // No token on the restart: the saved credential is enough, and the identity is kept.
        cluster.Options.OrchestratorEnvironment["ENROLLMENT_TOKEN"] = "";
        await node.RestartAsync();
        string CurrentRun() => node.Log.Split("process ended -----").Last();
        await cluster.WaitAsync(() => Task.FromResult(CurrentRun().Contains("Registered as container")), Deadline,
            "the restarted node to register again");
        var after = await cluster.PollAsync(async () =>
        {
            var c = await cluster.ContainerAsync(node);
            return c.Status == "healthy" && node.IsRunning ? c : null;
        }, Deadline, "the restarted node to be healthy");
        Assert.Equal(before.ContainerId, after.ContainerId);
        Assert.DoesNotContain("Enrolled as container", CurrentRun());
    }

    [Fact]
    public async Task RevokedNodeGets401OnItsNextHeartbeatAndItsHealthTurnsDegraded()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 1, HeartbeatSeconds = 1 });
        var node = cluster.Orchestrators[0];
        var id = (await cluster.ContainerAsync(node)).ContainerId;
        // Enrollment lists the container before the node has logged in: wait until the node itself is connected.
        await cluster.WaitAsync(async () => await ConnectionAsync(cluster, node) is ("healthy", _), Deadline, "the node to connect");

        var revoked = await cluster.Api.RevokeContainerAsync(id);
        Assert.Equal(ContainerStatus.Revoked, revoked.Status);

        var description = await cluster.PollAsync(async () => await ConnectionAsync(cluster, node) is ("degraded", var d) ? d : null,
            Deadline, "the node's connection check to turn degraded");
        Assert.Contains("401", description);
        Assert.Equal("revoked", (await cluster.ContainerAsync(node)).Status);
        Assert.True(node.IsRunning);
    }

    [Fact]
    public async Task ProcessAgentRunningEnvShowsNoneOfTheNodesSecrets()
    {
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 1,
            OrchestratorEnvironment = new()
            {
                ["ALLOWED_COMMANDS"] = "/usr/bin/env",
                ["ADMIN_PASSWORD"] = NodeSecret,
                ["PROCESS_ENV_ALLOWLIST"] = "ALLOWED_GREETING",
                ["ALLOWED_GREETING"] = "hello-from-the-node",
            },
        });
        var node = cluster.Orchestrators[0];

        // The manager refuses loader and shell hooks in agent_config.env outright.
        var hooked = new DeployRequest("process", JsonSerializer.SerializeToElement(new
        {
            command = "/usr/bin/env",
            env = new Dictionary<string, string> { ["LD_PRELOAD"] = "/tmp/evil.so", ["BASH_ENV"] = "/tmp/x" },
        }), null);
        var refused = await Assert.ThrowsAsync<ManagerProblemException>(() => cluster.Api.DeployAsync(hooked));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True(refused.FieldErrors.ContainsKey("agent_config.env.LD_PRELOAD"), refused.Message);
        Assert.True(refused.FieldErrors.ContainsKey("agent_config.env.BASH_ENV"), refused.Message);

        var deployed = await cluster.Api.DeployAsync(new DeployRequest("process",
            JsonSerializer.SerializeToElement(new { command = "/usr/bin/env", env = new { FROM_CONFIG = "set-by-deploy" } }), null));
        var agentId = deployed.Agents[0].AgentId;
        var output = await cluster.PollAsync(async () =>
        {
            var agent = await node.AgentAsync(agentId);
            var lines = agent?.Figures?["output"]?.AsArray().Select(l => (string)l!).ToList();
            return lines is { Count: > 0 } && lines.Any(l => l.StartsWith("PATH=", StringComparison.Ordinal)) ? lines : null;
        }, Deadline, "the env agent's output on the node's local API");

        var names = output.Where(l => l.Contains('=')).Select(l => l[..l.IndexOf('=')]).ToHashSet();
        // AGENT_DATA_DIR: the agent's own data directory (where it keeps its update lock), never the node's.
        Assert.Equal(new HashSet<string> { "PATH", "ALLOWED_GREETING", "FROM_CONFIG", "AGENT_DATA_DIR" }, names);
        Assert.Contains("ALLOWED_GREETING=hello-from-the-node", output);
        var text = string.Join('\n', output);
        var credential = File.ReadAllText(Path.Combine(node.DataDirectory, "node-credential"));
        foreach (var secret in new[] { NodeSecret, ProcessCluster.BootstrapToken, credential, "ENROLLMENT_TOKEN", "ADMIN_PASSWORD" })
            Assert.DoesNotContain(secret, text);
    }

    private static async Task<(string? Status, string? Description)> ConnectionAsync(ProcessCluster cluster, OrchestratorNode node)
    {
        var health = JsonNode.Parse(await cluster.Http.GetStringAsync(node.Url + "/health"))!["checks"]!["manager-connection"]!;
        return ((string?)health["status"], (string?)health["description"]);
    }
}
