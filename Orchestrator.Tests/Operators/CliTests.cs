using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Operators;

// The `orchestrator` CLI, built and run as a process against a real manager and orchestrator.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed partial class CliTests(CliClusterFixture fixture) : IClassFixture<CliClusterFixture>
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private ProcessCluster Cluster => fixture.Cluster;

    private async Task<OrchestratorCli> LoggedInAsync()
    {
        var cli = new OrchestratorCli();
        var login = await cli.RunAsync(["login", "--url", Cluster.ManagerUrl, "--username", "admin"],
            new Dictionary<string, string> { ["ORCHESTRATOR_PASSWORD"] = ProcessCluster.AdminPassword });
        Assert.True(login.ExitCode == 0, login.ToString());
        return cli;
    }

    // issue 27 (s8/connection): --outdated lists containers older than the manager's recommended_node_version.
    [Fact]
    public async Task ClustersListOutdatedShowsOnlyContainersOlderThanTheRecommendedNodeVersion()
    {
        var cli = await LoggedInAsync();
        var old = $"outdated-{Guid.NewGuid():N}"[..17] + "-cluster";
        // Offers no capability any deploy asks for, so the other tests never place an agent on it.
        var registered = await Cluster.Api.RegisterAsync(new RegisterContainerRequest(old, "127.0.0.1", 9, ["outdated_test_only"],
            JsonSerializer.SerializeToElement(new { cpu_count = 1, memory_limit = 1073741824 }), JsonSerializer.SerializeToElement(new { orchestrator_id = "1" }),
            NodeVersion: "0.0.1", ProtocolVersion: NodeProtocol.Current - 1));
        try
        {
            var outdated = await cli.RunAsync("clusters", "list", "--outdated");
            Assert.True(outdated.ExitCode == 0, outdated.ToString());
            Assert.Contains(old, outdated.Output);
            Assert.Contains("0.0.1", outdated.Output);
            Assert.DoesNotContain(Cluster.Orchestrators[0].ContainerName, outdated.Output);
            var all = await cli.RunAsync("clusters", "list");
            Assert.Contains(Cluster.Orchestrators[0].ContainerName, all.Output);
        }
        finally
        {
            await Cluster.Api.DeleteContainerAsync(registered.ContainerId);
        }
    }

    [Fact]
    public async Task CtrlCEndsFollowingTheEventStreamQuietlyWithExitZero()
    {
        // `orchestrator events` follows until Ctrl+C, as the README says; that once printed "error: the manager did
        // not answer within 30 s" and exited 1. SIGINT after 3 s, through a shell, as a terminal sends it.
        var cli = await LoggedInAsync();
        var run = await ChildProcess.RunAsync(new ProcessSpec("/bin/sh", ["-c", "exec timeout --preserve-status -s INT 3 dotnet \"$0\" events",
            RepoPaths.ProjectOutput(Path.Combine("tools", "Orchestrator.Cli"))])
        {
            Name = "orchestrator events",
            Environment = new Dictionary<string, string> { ["ORCHESTRATOR_CONFIG_DIR"] = cli.ConfigDirectory },
        }, OrchestratorCli.RunDeadline);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("error", run.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LoginDeployListAndStopRoundTripThroughTheBuiltTool()
    {
        var cli = await LoggedInAsync();

        var deploy = await cli.RunAsync("agents", "deploy", "--type", "trading_agent", "--config", """{"strategy":"momentum","tick_interval_ms":200}""",
            "--on-cluster-loss", "keep", "--json");
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        var deployed = JsonSerializer.Deserialize<DeployResponse>(deploy.Output, Snake)!;
        var agentId = Assert.Single(deployed.Agents).AgentId;
        Assert.Equal("keep", deployed.OnClusterLoss);

        var list = await cli.RunAsync("agents", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(JsonSerializer.Deserialize<AgentListResponse>(list.Output, Snake)!.Agents, a => a.AgentId == agentId);

        await Cluster.WaitAsync(async () =>
        {
            var show = await cli.RunAsync("agents", "show", agentId, "--json");
            return show.ExitCode == 0 && JsonSerializer.Deserialize<AgentView>(show.Output, Snake)!.State == AgentStates.Running;
        }, TimeSpan.FromSeconds(30), "the CLI to show the agent running");

        var table = await cli.RunAsync("agents", "list");
        Assert.Contains("AGENT", table.Output);
        Assert.Contains(agentId, table.Output);

        var stop = await cli.RunAsync("agents", "stop", agentId);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.DoesNotContain((await Cluster.Api.ListAgentsAsync()).Agents, a => a.AgentId == agentId);

        var gone = await cli.RunAsync("agents", "show", agentId);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("Unknown agent (404)", gone.Error);
    }

    [Fact]
    public async Task ASecretSetFromStdinIsListedWithItsVersionAndNeverPrinted()
    {
        var cli = await LoggedInAsync();
        var tenant = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var value = "exchange-key-" + Guid.NewGuid().ToString("N");

        var set = await cli.RunWithStdinAsync(value, "secrets", "set", tenant, "binance-key");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains("version 1", set.Output);
        var list = await cli.RunAsync("secrets", "list", tenant);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("binance-key", list.Output);
        Assert.DoesNotContain(value, set.Output + set.Error + list.Output + list.Error);
        var delete = await cli.RunAsync("secrets", "delete", tenant, "binance-key");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.DoesNotContain("binance-key", (await cli.RunAsync("secrets", "list", tenant)).Output);
    }

    [Fact]
    public async Task ClustersDrainWaitFollowsTheDrainToCompleteAndLeavesTheContainerCordoned()
    {
        var cli = await LoggedInAsync();
        var containerId = (await Cluster.Api.ListAllContainersAsync()).OrderBy(c => c.ContainerName, StringComparer.Ordinal).First().ContainerId;
        try
        {
            var drain = await cli.RunAsync("clusters", "drain", containerId, "--max-parallel", "2", "--wait");
            Assert.True(drain.ExitCode == 0, drain.ToString());
            Assert.Matches("drain complete: moved [0-9]+, remaining 0", drain.Output); // agents other tests left here move to the other nodes
            Assert.Contains("ineligible (draining)", (await cli.RunAsync("clusters", "show", containerId)).Output);
            var bad = await cli.RunAsync("clusters", "drain", containerId, "--max-parallel", "0");
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("max_parallel", bad.Output + bad.Error);
        }
        finally
        {
            await cli.RunAsync("clusters", "uncordon", containerId);
        }
    }

    [Fact]
    public async Task ReschedulingPausedWithANoteShowsWhoWhyAndUntilOnStatusUntilResumed()
    {
        var cli = await LoggedInAsync();
        var pause = await cli.RunAsync("rescheduling", "pause", "--note", "redis maintenance", "--for", "1h");
        Assert.True(pause.ExitCode == 0, pause.ToString());
        var status = await cli.RunAsync("status");
        Assert.Matches("paused by admin since .* until .*: redis maintenance", status.Output);
        var resume = await cli.RunAsync("rescheduling", "resume");
        Assert.True(resume.ExitCode == 0, resume.ToString());
        Assert.Contains("active", (await cli.RunAsync("status")).Output);
        var bad = await cli.RunAsync("rescheduling", "pause", "--for", "soon");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--for", bad.Error);
    }

    [Fact]
    public async Task LoginKeepsTheTokenInAnOwnerOnlyFileAndNeverThePassword()
    {
        var cli = await LoggedInAsync();

        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.LoginFile));
        var saved = await File.ReadAllTextAsync(cli.LoginFile);
        Assert.Contains("access_token", saved);
        Assert.DoesNotContain(ProcessCluster.AdminPassword, saved);
    }

    [Fact]
    public async Task LoginReadsThePasswordFromStdin()
    {
        var cli = new OrchestratorCli();

        var login = await cli.RunWithStdinAsync(ProcessCluster.AdminPassword, "login", "--url", Cluster.ManagerUrl, "--json");

        Assert.True(login.ExitCode == 0, login.ToString());
        using var result = JsonDocument.Parse(login.Output);
        Assert.Equal("admin", result.RootElement.GetProperty("role").GetString());
        Assert.Equal(0, (await cli.RunAsync("status")).ExitCode);
    }

    [Fact]
    public async Task LoginWithAWrongPasswordFailsWithTheProblemTitle()
    {
        var cli = new OrchestratorCli();

        var login = await cli.RunAsync(["login", "--url", Cluster.ManagerUrl],
            new Dictionary<string, string> { ["ORCHESTRATOR_PASSWORD"] = "not-the-password" });

        Assert.Equal(1, login.ExitCode);
        Assert.Contains("Invalid credentials (401)", login.Error);
        Assert.False(File.Exists(cli.LoginFile));
    }

    [Fact]
    public async Task AnUnknownFlagExitsTwoWithAUsageLine()
    {
        var run = await new OrchestratorCli().RunAsync("agents", "list", "--bogus");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--bogus", run.Error);
        Assert.Contains("usage: orchestrator agents list [options]", run.Error);
    }

    [Fact]
    public async Task AConfigThatIsNotJsonIsBadUsageNamingTheFlag()
    {
        var cli = await LoggedInAsync();

        var run = await cli.RunAsync("agents", "deploy", "--type", "trading_agent", "--config", "{not json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--config: not valid JSON", run.Error);
        Assert.Contains("usage: orchestrator agents deploy", run.Error);
    }

    [Fact]
    public async Task ARefusedDeployPrintsTheProblemTitleAndFieldWithoutAStackTrace()
    {
        var cli = await LoggedInAsync();

        var run = await cli.RunAsync("agents", "deploy", "--type", "trading_agent", "--config", "{}", "--strategy", "fastest");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(ProblemTypes.ValidationFailed.Title, run.Error);
        Assert.Contains("deployment_strategy:", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task ClustersListShowsTheOrchestratorAsJsonAndAsATable()
    {
        var cli = await LoggedInAsync();

        var json = await cli.RunAsync("clusters", "list", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var listed = JsonSerializer.Deserialize<List<ContainerView>>(json.Output, Snake)!;
        Assert.Equal(Cluster.Orchestrators.Count, listed.Count);
        var container = listed[0];
        Assert.All(listed, c => Assert.Equal(ContainerStatus.Healthy, c.Status));

        var table = await cli.RunAsync("clusters", "list");
        Assert.All(listed, c => Assert.Contains(c.ContainerId, table.Output));
        Assert.Contains($"{container.AssignedAgents}/{container.MaxAgents}", table.Output);

        var show = await cli.RunAsync("clusters", "show", container.ContainerId, "--json");
        Assert.Equal(container.ContainerName, JsonSerializer.Deserialize<ContainerView>(show.Output, Snake)!.ContainerName);
    }

    [Fact]
    public async Task EnrollmentTokensAreCreatedListedAndRevoked()
    {
        var cli = await LoggedInAsync();

        var create = await cli.RunAsync("tokens", "create", "--orchestrator-id", "7", "--max-uses", "2", "--json");
        Assert.True(create.ExitCode == 0, create.ToString());
        var created = JsonSerializer.Deserialize<EnrollmentTokenCreated>(create.Output, Snake)!;
        Assert.Equal("7", created.OrchestratorId);

        var list = await cli.RunAsync("tokens", "list", "--json");
        Assert.Contains(JsonSerializer.Deserialize<EnrollmentTokenListResponse>(list.Output, Snake)!.Tokens, t => t.TokenId == created.TokenId);
        Assert.DoesNotContain(created.Token, list.Output);

        Assert.Equal(0, (await cli.RunAsync("tokens", "revoke", created.TokenId)).ExitCode);
        var after = await cli.RunAsync("tokens", "list", "--json");
        Assert.DoesNotContain(JsonSerializer.Deserialize<EnrollmentTokenListResponse>(after.Output, Snake)!.Tokens, t => t.TokenId == created.TokenId);
    }

    [Fact]
    public async Task AnOperatorCreatedWithTheCliLogsInWithItsKeyUntilItIsDeleted()
    {
        var admin = await LoggedInAsync();
        var name = "cli-ops-" + Guid.NewGuid().ToString("N")[..8];

        var create = await admin.RunAsync("operators", "create", name, "--tenant", "1", "--role", "viewer", "--json");
        Assert.True(create.ExitCode == 0, create.ToString());
        var created = JsonSerializer.Deserialize<OperatorCreated>(create.Output, Snake)!;
        Assert.Equal(["1"], created.Tenants);
        var list = await admin.RunAsync("operators", "list");
        Assert.Contains(name, list.Output);
        Assert.DoesNotContain(created.ApiKey, list.Output);

        var viewer = new OrchestratorCli();
        var login = await viewer.RunAsync(["login", "--url", Cluster.ManagerUrl, "--username", name, "--json"],
            new Dictionary<string, string> { ["ORCHESTRATOR_PASSWORD"] = created.ApiKey });
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("viewer", login.Output);

        Assert.Equal(0, (await admin.RunAsync("operators", "delete", name)).ExitCode);
        var refused = await viewer.RunAsync("status");
        Assert.Equal(1, refused.ExitCode);
        Assert.DoesNotContain("   at ", refused.Error);
    }

    [Fact]
    public async Task ACommandWithoutASavedLoginFailsWithAHintToLogIn()
    {
        var run = await new OrchestratorCli().RunAsync("status");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not logged in", run.Error);
        Assert.Contains("orchestrator login", run.Error);
    }
}
