using Orchestrator.Protocol;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Validation.Phases;
using Orchestrator.Validation.Running;

namespace Orchestrator.Tests.Validation;

// The seed's "Validation Results", one test per phase, run by the same phase classes the CLI runs,
// against real processes (redis-server, the manager, two orchestrators); the same six phases run again on a
// three-master Redis Cluster (SeedValidationOnRedisClusterTests).
public abstract class SeedPhaseTests<TFixture>(TFixture fixture) where TFixture : ValidationClusterFixture
{
    protected TFixture Fixture { get; } = fixture;

    [Fact(DisplayName = "central_manager_isolated: the manager answers /health with Redis and requires auth")]
    public Task CentralManagerIsolatedPasses() => PassesAsync(new CentralManagerIsolatedPhase(), "central_manager_isolated");

    [Fact(DisplayName = "orchestrator_1_isolated: orchestrator 1 answers locally and is its own installation")]
    public Task Orchestrator1IsolatedPasses() => PassesAsync(new OrchestratorIsolatedPhase(1), "orchestrator_1_isolated");

    [Fact(DisplayName = "orchestrator_2_isolated: orchestrator 2 answers locally and is its own installation")]
    public Task Orchestrator2IsolatedPasses() => PassesAsync(new OrchestratorIsolatedPhase(2), "orchestrator_2_isolated");

    [Fact(DisplayName = "cross_network_registration: both registered, healthy and heard from over their own connections")]
    public Task CrossNetworkRegistrationPasses() => PassesAsync(new CrossNetworkRegistrationPhase(), "cross_network_registration");

    [Fact(DisplayName = "distributed_agent_deployment: a pinned trading_agent runs on each orchestrator's local API")]
    public async Task DistributedAgentDeploymentPasses()
    {
        await PassesAsync(new DistributedAgentDeploymentPhase(), "distributed_agent_deployment");
        Assert.Empty((await Fixture.Cluster.Api.ListAgentsAsync()).Agents); // cleaned up
    }

    [Fact(DisplayName = "orchestrator_autonomy: agents keep running through a kill -9 of the manager, and everything reconnects")]
    public async Task OrchestratorAutonomyPassesThroughAManagerKill()
    {
        var outage = new ManagerProcessOutage(Fixture.Manager);
        var result = await PassesAsync(new OrchestratorAutonomyPhase(), "orchestrator_autonomy", outage);

        Assert.True(outage.WasDownAfterStop, "the manager process was still running after kill -9");
        Assert.True(outage.Restarted, "the manager was not started again");
        Assert.Equal(2, result.Notes.Count(n => n.Contains("kept running with the manager down", StringComparison.Ordinal)));
        Assert.Equal(2, result.Notes.Count(n => n.Contains("reconnected as", StringComparison.Ordinal)));
        var containers = await Fixture.Cluster.Api.ListAllContainersAsync();
        Assert.All(containers, c => Assert.Equal(ContainerStatus.Healthy, c.Status));
    }

    protected async Task<PhaseResult> PassesAsync(IValidationPhase phase, string seedName, IManagerOutage? outage = null)
    {
        Assert.Equal(seedName, phase.Name);
        var result = await ValidationRunner.RunPhaseAsync(phase, Fixture.Context(outage), CancellationToken.None);
        Assert.True(result.Passed, $"{seedName} failed:\n{string.Join("\n", result.Failures)}\n\n{Fixture.Cluster.Logs()}");
        return result;
    }
}

[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class SeedValidationTests(ValidationClusterFixture fixture)
    : SeedPhaseTests<ValidationClusterFixture>(fixture), IClassFixture<ValidationClusterFixture>
{
    [Fact]
    public async Task CrossNetworkRegistrationFailsNamingAnOrchestratorThatCannotReachTheManager()
    {
        var cutOff = Fixture.Cluster.Orchestrators[1];
        cutOff.CutOffFromManager();
        try
        {
            await Fixture.Cluster.WaitAsync(async () => (await Fixture.Cluster.ContainerAsync(cutOff)).Status != "healthy",
                TimeSpan.FromSeconds(30), "the cut-off orchestrator to stop being healthy");

            var result = await ValidationRunner.RunPhaseAsync(new CrossNetworkRegistrationPhase(), Fixture.Context(timeout: TimeSpan.FromSeconds(5)), CancellationToken.None);

            Assert.False(result.Passed);
            var failure = Assert.Single(result.Failures);
            Assert.StartsWith("orchestrator_2 (", failure);
            Assert.Contains("manager unreachable", failure);
        }
        finally
        {
            cutOff.ReconnectToManager();
            await Fixture.Cluster.WaitAsync(async () => (await Fixture.Cluster.ContainerAsync(cutOff)).Status == "healthy",
                TimeSpan.FromSeconds(30), "the orchestrator to be healthy again");
        }
    }

    [Fact]
    public async Task CliRunsEveryPhaseAgainstTheClusterAndPrintsTheSeedSummary()
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("validation-").FullName, "summary.json");
        var run = await ValidationCli.RunAsync(Arguments(Fixture.Settings.Orchestrators.Select(o => o.Url.ToString()), "--json-output", output),
            new Dictionary<string, string> { ["ADMIN_PASSWORD"] = ProcessCluster.AdminPassword });

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Error}\n{run.Output}\n{Fixture.Cluster.Logs()}");
        var summary = JsonNode.Parse(run.Output)!;
        var phases = summary["phase_results"]!.AsObject();
        Assert.Equal(SeedPhaseNames, phases.Select(p => p.Key));
        Assert.All(phases, p => Assert.True((bool)p.Value!));
        Assert.Equal("6/6 phases passed", (string?)summary["result"]);
        Assert.Equal(100, (double)summary["success_rate"]!);
        Assert.True((double)summary["duration_seconds"]! > 0);
        Assert.Equal(run.Output.Trim(), (await File.ReadAllTextAsync(output)).Trim());
    }

    [Fact]
    public async Task CliExitsNonZeroNamingTheFailedPhaseWhenAnOrchestratorUrlIsWrong()
    {
        var wrong = $"http://127.0.0.1:{FreePort.Next()}";
        var run = await ValidationCli.RunAsync(
            Arguments([Fixture.Settings.Orchestrators[0].Url.ToString(), wrong], "--timeout", "15"),
            new Dictionary<string, string> { ["ADMIN_PASSWORD"] = ProcessCluster.AdminPassword });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"orchestrator_2_isolated: FAILED: orchestrator_2: GET {wrong}/health", run.Error);
        var phases = JsonNode.Parse(run.Output)!["phase_results"]!;
        Assert.True((bool)phases["central_manager_isolated"]!);
        Assert.True((bool)phases["orchestrator_1_isolated"]!);
        Assert.False((bool)phases["orchestrator_2_isolated"]!);
        Assert.False((bool)phases["cross_network_registration"]!);
    }

    private static readonly string[] SeedPhaseNames =
    [
        "central_manager_isolated", "orchestrator_1_isolated", "orchestrator_2_isolated",
        "cross_network_registration", "distributed_agent_deployment", "orchestrator_autonomy",
    ];

    private string[] Arguments(IEnumerable<string> orchestratorUrls, params string[] more) =>
    [
        "--manager-url", Fixture.Manager.Url,
        .. orchestratorUrls.SelectMany(url => new[] { "--orchestrator-url", url }),
        .. more,
    ];

}

// The six phases with the manager on a Redis Cluster of three masters.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class SeedValidationOnRedisClusterTests(RedisClusterValidationFixture fixture)
    : SeedPhaseTests<RedisClusterValidationFixture>(fixture), IClassFixture<RedisClusterValidationFixture>;
