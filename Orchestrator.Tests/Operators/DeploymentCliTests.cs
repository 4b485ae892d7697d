using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Operators;

// Rolling updates of real `process` agents on three real nodes, driven the way an operator does it: the built CLI with
// --wait (issue 25). Shares CliTests' cluster (one class, one fixture) so CI starts no extra cluster for it.
public sealed partial class CliTests
{
    private static string ProcessConfig(string script) =>
        JsonSerializer.Serialize(new { command = "/bin/sh", args = new[] { "-c", script } });

    [Fact]
    public async Task ARollingUpdateKeepsAtMostMaxParallelAgentsNotRunningKeepsEveryAgentIdAndABadRevisionIsRevertedWithExitOne()
    {
        var cli = await LoggedInAsync();
        await using var events = new EventCollector(Cluster.Api);
        var name = "roll-" + Guid.NewGuid().ToString("N")[..8];
        var create = await cli.RunAsync("deployments", "create", "--name", name, "--replicas", "10", "--type", "process",
            "--config", ProcessConfig("echo v1; exec sleep 600"), "--version", "1", "--max-parallel", "2", "--min-healthy-seconds", "1",
            "--healthy-deadline-seconds", "60", "--auto-revert", "true", "--wait", "--json");
        Assert.True(create.ExitCode == 0, create.ToString());
        var created = JsonSerializer.Deserialize<DeploymentView>(create.Output, Snake)!;
        var id = created.DeploymentId;
        try
        {
            Assert.Equal(DeploymentStates.Successful, created.State);
            var before = await AgentsOfAsync(id);
            Assert.Equal(10, before.Count);
            Assert.Equal(3, before.Select(a => a.ContainerId).Distinct().Count());

            // Sampled every 100 ms while v2 rolls out: never more than max_parallel agents not running.
            var (update, samples) = await SampledAsync(id, () => cli.RunAsync("deployments", "update", id, "--config",
                ProcessConfig("echo v2; exec sleep 600"), "--version", "2", "--wait"));
            Assert.True(update.ExitCode == 0, update.ToString());
            Assert.Contains("successful", update.Output);
            Assert.True(samples.Count > 10, $"only {samples.Count} samples");
            Assert.True(samples.Max(s => s.NotRunning) <= 2, $"at most 2 agents not running; samples: {string.Join(",", samples.Select(s => s.NotRunning))}");
            var after = await AgentsOfAsync(id);
            Assert.Equal(before.Select(a => (a.AgentId, a.ContainerId)).Order(), after.Select(a => (a.AgentId, a.ContainerId)).Order());
            Assert.All(after, a => Assert.Equal((AgentStates.Running, 2L), (a.State, a.Epoch)));
            Assert.All(after, a => Assert.Contains("v2", a.AgentConfig.GetRawText()));
            Assert.All(samples, s => Assert.Equal(10, s.Agents));

            // A build that exits 1: its first batch never becomes healthy, the deployment goes back to v2 and the CLI fails.
            // Its deadline is short so the test is; v2's was long, so a loaded machine's slow restarts do not revert it.
            var (bad, badSamples) = await SampledAsync(id, () => cli.RunAsync("deployments", "update", id, "--config", ProcessConfig("exit 1"),
                "--version", "3", "--healthy-deadline-seconds", "8", "--wait"));
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("reverted", bad.Error);
            Assert.True(badSamples.Max(s => s.OnBad) <= 2, $"at most one batch got the bad build; samples: {string.Join(",", badSamples.Select(s => s.OnBad))}");
            Assert.True(badSamples.Max(s => s.OnBad) >= 1, "the bad build was never tried");
            await Cluster.WaitAsync(async () => (await AgentsOfAsync(id)).All(a => a.State == AgentStates.Running), TimeSpan.FromSeconds(30),
                "every agent running again after the revert");
            var reverted = await AgentsOfAsync(id);
            Assert.Equal(before.Select(a => a.AgentId).Order(), reverted.Select(a => a.AgentId).Order());
            Assert.All(reverted, a => Assert.Contains("v2", a.AgentConfig.GetRawText()));

            var history = await cli.RunAsync("deployments", "history", id);
            Assert.True(history.ExitCode == 0, history.ToString());
            Assert.Contains("REVISION", history.Output);
            var show = JsonSerializer.Deserialize<DeploymentView>((await cli.RunAsync("deployments", "show", id, "--json")).Output, Snake)!;
            Assert.Equal((DeploymentStates.Reverted, 2L, 2L), (show.State, show.Revision, show.StableRevision));
            // The stream told the story: revision 2 successful, revision 3 rolled back.
            foreach (var state in new[] { DeploymentStates.Successful, DeploymentStates.Reverted })
                await events.WaitForAsync(e => e.Type == ManagerEventTypes.DeploymentChanged && e.DeploymentId == id && e.State == state,
                    TimeSpan.FromSeconds(10), $"deployment.changed {state}");
        }
        finally
        {
            await cli.RunAsync("deployments", "delete", id);
        }
    }

    [Fact]
    public async Task ACanaryRunsBesideTheOldAgentsOnRealNodesAndPromotingItThroughTheCliReplacesOneOldAgent()
    {
        var cli = await LoggedInAsync();
        var create = await cli.RunAsync("deployments", "create", "--name", "canary-" + Guid.NewGuid().ToString("N")[..8], "--replicas", "2",
            "--type", "process", "--config", ProcessConfig("echo v1; exec sleep 600"), "--version", "1", "--canary", "1",
            "--min-healthy-seconds", "1", "--wait", "--json");
        Assert.True(create.ExitCode == 0, create.ToString());
        var id = JsonSerializer.Deserialize<DeploymentView>(create.Output, Snake)!.DeploymentId;
        try
        {
            var before = await AgentsOfAsync(id);
            Assert.Equal(2, before.Count);

            // --wait ends once the canary is healthy and the rollout waits for promote: three agents run, the old two untouched.
            var update = await cli.RunAsync("deployments", "update", id, "--config", ProcessConfig("echo v2; exec sleep 600"), "--version", "2",
                "--wait", "--json");
            Assert.True(update.ExitCode == 0, update.ToString());
            Assert.True(JsonSerializer.Deserialize<DeploymentView>(update.Output, Snake)!.AwaitingPromotion, update.Output);
            var during = await AgentsOfAsync(id);
            Assert.Equal(3, during.Count);
            Assert.All(before, old => Assert.Contains(during, a => a.AgentId == old.AgentId && a.Epoch == 1 && a.State == AgentStates.Running));
            var canary = Assert.Single(during, a => before.All(old => old.AgentId != a.AgentId));
            Assert.Equal(AgentStates.Running, canary.State);
            Assert.Contains("v2", canary.AgentConfig.GetRawText());

            var promote = await cli.RunAsync("deployments", "promote", id, "--wait");
            Assert.True(promote.ExitCode == 0, promote.ToString());
            Assert.Contains("successful", promote.Output);
            await Cluster.WaitAsync(async () => (await AgentsOfAsync(id)) is { Count: 2 } agents
                && agents.All(a => a.State == AgentStates.Running && a.AgentConfig.GetRawText().Contains("v2", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), "two agents running v2");
            var after = await AgentsOfAsync(id);
            Assert.Contains(after, a => a.AgentId == canary.AgentId);
            Assert.Single(after, a => before.Any(old => old.AgentId == a.AgentId && a.Epoch == 2));
        }
        finally
        {
            await cli.RunAsync("deployments", "delete", id);
        }
    }

    [Fact]
    public async Task RotatingASecretRestartsTheAgentsUsingItOneAtATimeAndEachThenSeesTheNewValue()
    {
        var cli = await LoggedInAsync();
        var tenant = Cluster.Orchestrators[0].Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var secret = "rot-" + Guid.NewGuid().ToString("N")[..8];
        var seen = Directory.CreateTempSubdirectory("rotation-seen-").FullName;
        await Cluster.Api.PutSecretAsync(tenant, secret, "first-value");
        // Each agent writes the value it was started with to a file named after its data directory (its agent id).
        var config = JsonSerializer.Serialize(new
        {
            orchestrator_id = tenant, command = "/bin/sh",
            args = new[] { "-c", $"printf %s \"$EXCHANGE_API_KEY\" > {seen}/$(basename \"$AGENT_DATA_DIR\"); exec sleep 600" },
            secrets = new Dictionary<string, string> { ["EXCHANGE_API_KEY"] = secret },
        });
        var create = await cli.RunAsync("deployments", "create", "--name", "rot-" + secret, "--tenant", tenant, "--replicas", "3", "--type", "process",
            "--config", config, "--version", "1", "--max-parallel", "1", "--min-healthy-seconds", "1", "--wait", "--json");
        Assert.True(create.ExitCode == 0, create.ToString());
        var id = JsonSerializer.Deserialize<DeploymentView>(create.Output, Snake)!.DeploymentId;
        try
        {
            var before = await AgentsOfAsync(id);
            Assert.All(before, a => Assert.Equal(1L, a.Epoch));
            string Seen(string agentId) => File.Exists(Path.Combine(seen, agentId)) ? File.ReadAllText(Path.Combine(seen, agentId)) : "";
            Assert.All(before, a => Assert.Equal("first-value", Seen(a.AgentId)));

            // The new value rolls the deployment: sampled every 100 ms, never more than one agent (max_parallel) not running.
            var (rotated, samples) = await SampledAsync(id, async () =>
            {
                await Cluster.Api.PutSecretAsync(tenant, secret, "second-value");
                await Cluster.WaitAsync(async () => (await AgentsOfAsync(id)).All(a => a.Epoch == 2 && a.State == AgentStates.Running)
                    && before.All(a => Seen(a.AgentId) == "second-value"), TimeSpan.FromSeconds(60), "every agent restarted with the new value");
                return new ProcessRun(0, "", "");
            });
            Assert.True(samples.Max(s => s.NotRunning) <= 1, $"at most 1 agent not running; samples: {string.Join(",", samples.Select(s => s.NotRunning))}");
            var after = await AgentsOfAsync(id);
            Assert.Equal(before.Select(a => (a.AgentId, a.ContainerId)).Order(), after.Select(a => (a.AgentId, a.ContainerId)).Order());

            // The same rolling restart on an operator's call through the CLI: --wait ends once every agent is healthy again.
            var restart = await cli.RunAsync("deployments", "restart", id, "--wait");
            Assert.True(restart.ExitCode == 0, restart.ToString());
            Assert.Contains("successful", restart.Output);
            Assert.All(await AgentsOfAsync(id), a => Assert.Equal((AgentStates.Running, 3L), (a.State, a.Epoch)));
        }
        finally
        {
            await cli.RunAsync("deployments", "delete", id);
        }
    }

    private sealed record Sample(int Agents, int NotRunning, int OnBad);

    private async Task<IReadOnlyList<AgentView>> AgentsOfAsync(string deploymentId) =>
        (await Cluster.Api.ListAllAgentsAsync()).Where(a => a.DeploymentId == deploymentId).ToList();

    // Runs the command while sampling the deployment's agents every 100 ms (a bounded loop: it ends with the command).
    private async Task<(ProcessRun Run, List<Sample> Samples)> SampledAsync(string deploymentId, Func<Task<ProcessRun>> command)
    {
        var samples = new List<Sample>();
        var running = command();
        while (!running.IsCompleted)
        {
            var agents = await AgentsOfAsync(deploymentId);
            samples.Add(new Sample(agents.Count, agents.Count(a => a.State != AgentStates.Running),
                agents.Count(a => a.AgentConfig.GetRawText().Contains("exit 1", StringComparison.Ordinal))));
            await Task.WhenAny(running, Task.Delay(100));
        }
        return (await running, samples);
    }
}
