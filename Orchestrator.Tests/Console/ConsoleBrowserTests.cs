using Microsoft.Playwright;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Console;

// The web console in a real browser (chromium through Playwright) against real processes.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class ConsoleBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    // Set CONSOLE_SCREENSHOTS to a directory (docs/) to keep the fleet and agents pages as PNGs.
    private static readonly string? Screenshots = Environment.GetEnvironmentVariable("CONSOLE_SCREENSHOTS");

    private ProcessCluster Cluster => fixture.Cluster;

    private Task<IPage> AdminPageAsync() => fixture.LoggedInPageAsync("admin", ProcessCluster.AdminPassword);

    [Fact]
    public async Task AnAdminLogsInAndSeesEveryOrchestratorHealthy()
    {
        var page = await AdminPageAsync();

        await Assertions.Expect(page.Locator("tr[data-container]")).ToHaveCountAsync(Cluster.Orchestrators.Count);
        foreach (var node in Cluster.Orchestrators)
        {
            var row = page.Locator($"tr[data-container='{node.ContainerName}']");
            await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync(ContainerStatus.Healthy);
            // issue 27: the node's build, as it registered it; the same build as the manager, so not outdated.
            await Assertions.Expect(row.Locator(".version")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d+"));
            await Assertions.Expect(row.Locator(".outdated")).ToHaveCountAsync(0);
        }
        // issue 27: the versions card counts them under one build and protocol, with the protocols the manager
        // accepts; a container registering with an older build shows up highlighted as outdated (then removed again,
        // so the other tests of this fixture see only the real nodes).
        var versions = page.Locator("#versions");
        await Assertions.Expect(versions.Locator("#accepted-protocols")).ToHaveTextAsync($"{NodeProtocol.Current}, {NodeProtocol.Current - 1}");
        await Assertions.Expect(versions.Locator($"tr[data-protocol-version='{NodeProtocol.Current}'] .count"))
            .ToHaveTextAsync(Cluster.Orchestrators.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(versions.Locator(".outdated-row")).ToHaveCountAsync(0);
        var old = await Cluster.Api.RegisterAsync(new RegisterContainerRequest("console-outdated-node", "127.0.0.1", 8001, ["agent_runner"],
            System.Text.Json.JsonSerializer.SerializeToElement(new { cpu_count = 1, memory_limit = 1073741824 }),
            System.Text.Json.JsonSerializer.SerializeToElement(new { orchestrator_id = "1" }), NodeVersion: "0.0.1", ProtocolVersion: NodeProtocol.Current - 1));
        try
        {
            var outdated = versions.Locator("tr.outdated-row[data-node-version='0.0.1']");
            await Assertions.Expect(outdated.Locator(".count")).ToHaveTextAsync("1");
            await Assertions.Expect(outdated.Locator(".outdated")).ToHaveCountAsync(1);
        }
        finally
        {
            await Cluster.Api.DeleteContainerAsync(old.ContainerId);
        }
        if (Screenshots is not null) await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "console-fleet.png"), FullPage = true });
    }

    [Fact]
    public async Task EveryStylesheetAndScriptOfTheLoginAndFleetPagesAnswers200()
    {
        // Issue 30 item 5: under the AppHost (Production, build output) Fluent UI's bundle and blazor.web.js
        // answered 500, so the console was bare HTML without live updates. Every <link> and <script> of both
        // pages, and everything those pages loaded themselves (Fluent's script modules), must answer 200.
        var failed = new List<string>();
        var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.Response += (_, response) =>
        {
            // The console has no favicon: the browser's own guess at one is not a page asset.
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
                lock (failed) failed.Add($"{response.Status} {response.Url}");
        };
        await page.GotoAsync(fixture.Url + "/login");
        var assets = await AssetsAsync(page);
        await page.FillAsync("#username", "admin");
        await page.FillAsync("#password", ProcessCluster.AdminPassword);
        await page.ClickAsync("#login");
        await page.WaitForURLAsync(fixture.Url + "/");
        await Assertions.Expect(page.Locator("tr[data-container]")).ToHaveCountAsync(Cluster.Orchestrators.Count);
        assets.UnionWith(await AssetsAsync(page));

        Assert.Contains(assets, a => a.EndsWith("/_framework/blazor.web.js", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.Contains("Microsoft.FluentUI.AspNetCore.Components", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var response = await page.APIRequest.GetAsync(asset);
            Assert.True(response.Status == 200, $"{asset} answered {response.Status}");
        }
        lock (failed) Assert.Empty(failed);
    }

    // The absolute addresses of a page's stylesheets and scripts, as the browser resolved them.
    private static async Task<HashSet<string>> AssetsAsync(IPage page) =>
        [.. await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('link[href]')].map(l => l.href).concat([...document.querySelectorAll('script[src]')].map(s => s.src))")];

    [Fact]
    public async Task AWrongPasswordStaysOnTheLoginPageWithTheProblem()
    {
        var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Url + "/login");
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#login");

        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("Invalid credentials");
    }

    [Fact]
    public async Task AnAgentDeployedThroughTheFormRunsWithinTwoSecondsAndStops()
    {
        var page = await AdminPageAsync();
        await GoToFormAsync(page, "/agents");
        var target = Cluster.Orchestrators[1];
        var tenant = (await Cluster.ContainerAsync(target)).OrchestratorId();
        await FillAsync(page, "#constraint-tenant", tenant);
        await page.ClickAsync("#deploy");

        await Assertions.Expect(page.Locator("#deployed")).ToContainTextAsync("Deployment dep-");
        var deployedAt = DateTimeOffset.UtcNow;
        var agent = (await Cluster.Api.ListAgentsAsync()).Agents.OrderByDescending(a => a.CreatedAt).First();
        Assert.Equal(tenant, agent.OrchestratorId);
        var row = page.Locator($"tr[data-agent='{agent.AgentId}']");
        await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync(AgentStates.Running, new() { Timeout = 10_000 });
        var shownAfter = DateTimeOffset.UtcNow - deployedAt;
        Assert.True(shownAfter < TimeSpan.FromSeconds(2), $"running shown {shownAfter.TotalMilliseconds:0} ms after the deploy");
        if (Screenshots is not null) await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "console-agents.png"), FullPage = true });

        await row.Locator(".stop").ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.DoesNotContain((await Cluster.Api.ListAgentsAsync()).Agents, a => a.AgentId == agent.AgentId);
    }

    [Fact]
    public async Task AnAgentsLogPageShowsItsLinesAndNewOnesAppearWithoutAReload()
    {
        var target = Cluster.Orchestrators[0];
        var tenant = (await Cluster.ContainerAsync(target)).OrchestratorId();
        var deployed = await Cluster.Api.DeployAsync(new DeployRequest("trading_agent", System.Text.Json.JsonSerializer.SerializeToElement(new
        {
            strategy = "mean_reversion", tick_interval_ms = 20, orchestrator_id = tenant,
        }), null));
        var agentId = deployed.Agents[0].AgentId;
        try
        {
            var page = await AdminPageAsync();
            await page.GotoAsync($"{fixture.Url}/agents/{agentId}/logs");
            await Assertions.Expect(page.Locator("#log-status")).ToHaveTextAsync("following", new() { Timeout = 30_000 });
            // The bot's signal lines, as the manager stores them; then more arrive on the open page (no reload).
            var lines = page.Locator("#log .log-line");
            await Assertions.Expect(lines.First).ToContainTextAsync("@", new() { Timeout = 30_000 });
            var first = await lines.CountAsync();
            var lastSequence = await lines.Last.GetAttributeAsync("data-sequence");
            await Assertions.Expect(lines.Last).Not.ToHaveAttributeAsync("data-sequence", lastSequence!, new() { Timeout = 30_000 });
            Assert.True(await lines.CountAsync() >= Math.Min(first + 1, 500));
        }
        finally
        {
            await Cluster.Api.DeleteAgentAsync(agentId);
        }
    }

    [Fact]
    public async Task ABadConfigJsonIsShownAsAFieldError()
    {
        var page = await AdminPageAsync();
        await GoToFormAsync(page, "/agents");
        var before = (await Cluster.Api.ListAgentsAsync()).Count;

        await FillAsync(page, "#agent-config", "{not json");
        await page.ClickAsync("#deploy");

        await Assertions.Expect(page.Locator("#agent-config-field")).ToContainTextAsync("agent_config is not valid JSON");
        Assert.Equal(before, (await Cluster.Api.ListAgentsAsync()).Count);
    }

    [Fact]
    public async Task AManagerFieldErrorIsShownUnderItsField()
    {
        var page = await AdminPageAsync();
        await GoToFormAsync(page, "/agents");

        await FillAsync(page, "#replicas", "0");
        await page.ClickAsync("#deploy");

        await Assertions.Expect(page.Locator("#replicas-field")).ToContainTextAsync("replicas must");
    }

    [Fact]
    public async Task AnEnrollmentTokenIsShownOnceAndListed()
    {
        var page = await AdminPageAsync();
        await GoToFormAsync(page, "/tokens");

        await FillAsync(page, "#token-tenant", "5");
        await page.ClickAsync("#create-token");

        var token = page.Locator("#new-token");
        await Assertions.Expect(token).Not.ToBeEmptyAsync();
        var created = (await Cluster.Api.ListEnrollmentTokensAsync()).Tokens.OrderByDescending(t => t.CreatedAt).First();
        Assert.Equal(["5"], created.OrchestratorIds);
        await Assertions.Expect(page.Locator($"tr[data-token='{created.TokenId}']")).ToHaveCountAsync(1);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#new-token")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ATenantOperatorSeesOnlyItsOwnTenantsContainersAndAgents()
    {
        var (own, other) = (Cluster.Orchestrators[0], Cluster.Orchestrators[1]);
        var ownTenant = (await Cluster.ContainerAsync(own)).OrchestratorId();
        var otherContainer = await Cluster.ContainerAsync(other);
        var ownAgent = await DeployToTenantAsync(ownTenant);
        var otherAgent = await DeployToTenantAsync(otherContainer.OrchestratorId());
        var name = $"tenant-{ownTenant}-operator-{Guid.NewGuid():N}"[..32];
        var created = await Cluster.Api.CreateOperatorAsync(new CreateOperatorRequest(name, [ownTenant], OperatorRoles.Operator));

        var page = await fixture.LoggedInPageAsync(name, created.ApiKey);

        // Fleet: only its tenant's section and container (the manager filters: the console asks with the operator's token).
        await Assertions.Expect(page.Locator("tr[data-container]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"tr[data-container='{own.ContainerName}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("section.tenant")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"section.tenant[data-tenant='{ownTenant}']")).ToHaveCountAsync(1);
        // Agents: its own agent, never the other tenant's.
        await page.GotoAsync(fixture.Url + "/agents");
        await Assertions.Expect(page.Locator($"tr[data-agent='{ownAgent}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"tr[data-agent='{otherAgent}']")).ToHaveCountAsync(0);
        Assert.DoesNotContain(await page.Locator("tr[data-agent]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.agent)"), id => id == otherAgent);
        // The other tenant's container page by its id: the manager answers as if it did not exist.
        await page.GotoAsync(fixture.Url + "/containers/" + otherContainer.ContainerId);
        await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(0);
        Assert.DoesNotContain(otherContainer.ContainerName, await page.ContentAsync());
    }

    [Fact]
    public async Task TheContainerPageShowsItsLabels()
    {
        var node = Cluster.Orchestrators[0];
        var container = await Cluster.ContainerAsync(node);
        var page = await AdminPageAsync();

        await page.GotoAsync(fixture.Url + "/containers/" + container.ContainerId);

        await Assertions.Expect(page.Locator("#labels .label[data-label='orchestrator_id']")).ToHaveTextAsync($"orchestrator_id={container.OrchestratorId()}");
    }

    [Fact]
    public async Task TheDeploymentsPageListsADeploymentWithItsRevisionsAndPauseMakesItPaused()
    {
        var tenant = (await Cluster.ContainerAsync(Cluster.Orchestrators[1])).OrchestratorId();
        // min_healthy_seconds far off: the rollout stays running for the whole test, so it can be paused.
        var created = await Cluster.Api.CreateDeploymentAsync(new CreateDeploymentRequest(
            $"console-{Guid.NewGuid():N}"[..20], tenant, 1,
            new DeploymentSpec("trading_agent", System.Text.Json.JsonSerializer.SerializeToElement(new { strategy = "momentum", tick_interval_ms = 200 }), "v1"),
            Update: new UpdateStrategy(MinHealthySeconds: 600)));
        try
        {
            var page = await AdminPageAsync();
            // The menu links the page; it is opened by its address, as the other pages here are: a click landing
            // while the fleet page re-renders (its cards load after the table) was once lost on a loaded machine.
            await Assertions.Expect(page.Locator("nav a[href='deployments']")).ToBeVisibleAsync();
            await page.GotoAsync(fixture.Url + "/deployments");
            var row = page.Locator($"tr[data-deployment='{created.DeploymentId}']");
            await Assertions.Expect(row).ToContainTextAsync(created.Name);
            await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync(DeploymentStates.Running);

            await row.Locator("a").ClickAsync();
            await page.Locator("section.deployments[data-ready]").WaitForAsync();
            var revision = page.Locator("tr[data-revision='1']");
            await Assertions.Expect(revision.Locator(".desired")).ToHaveTextAsync("1");
            await Assertions.Expect(revision.Locator(".placed")).ToHaveTextAsync("1");
            await Assertions.Expect(page.Locator("#rollout-progress")).ToHaveTextAsync("0 / 1 healthy");
            if (Screenshots is not null) await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "console-deployments.png"), FullPage = true });

            await page.ClickAsync("#pause");
            await Assertions.Expect(page.Locator("#deployment-state")).ToHaveTextAsync(DeploymentStates.Paused);
            Assert.Equal(DeploymentStates.Paused, (await Cluster.Api.GetDeploymentAsync(created.DeploymentId)).State);
            // A second pause is refused: the manager's problem detail is shown as it answered.
            await page.ClickAsync("#pause");
            await Assertions.Expect(page.Locator("#deployment-error")).ToContainTextAsync("only a running rollout can be paused");
        }
        finally
        {
            await Cluster.Api.DeleteDeploymentAsync(created.DeploymentId);
        }
    }

    [Fact]
    public async Task TheContainerPageDrainsWithMaxParallelAndShowsTheDrainComplete()
    {
        // Orchestrators[0] runs only tenant-pinned agents here, which a drain that is not forced leaves where they are:
        // the drain completes at once, and the container is made eligible again for the other tests.
        var container = await Cluster.ContainerAsync(Cluster.Orchestrators[0]);
        try
        {
            var page = await AdminPageAsync();
            await page.GotoAsync(fixture.Url + "/containers/" + container.ContainerId);
            await page.Locator("div[data-ready] #drain-max-parallel").WaitForAsync();
            await page.FillAsync("#drain-max-parallel", "2");
            await page.Locator("#drain-max-parallel").BlurAsync();
            await page.ClickAsync("#drain-button");

            await Assertions.Expect(page.Locator("#drain-state")).ToHaveTextAsync(DrainStates.Complete);
            await Assertions.Expect(page.Locator("#drain-remaining")).ToHaveTextAsync("0");
            await Assertions.Expect(page.Locator("#drain-waiting-for-window")).ToHaveTextAsync("no");
            var drain = (await Cluster.Api.GetContainerAsync(container.ContainerId)).Drain;
            Assert.Equal(2, drain?.MaxParallel);
        }
        finally
        {
            await Cluster.Api.SetEligibilityAsync(container.ContainerId, new SetEligibilityRequest(ContainerEligibility.Eligible, null));
        }
    }

    private async Task<string> DeployToTenantAsync(string tenant)
    {
        var request = DeployRequests.Trading() with
        {
            Constraints = new DeployConstraints(null, System.Text.Json.JsonSerializer.SerializeToElement(tenant), null),
        };
        return Assert.Single((await Cluster.Api.DeployAsync(request)).Agents).AgentId;
    }

    // Forms act once the page's circuit is live (the prerendered HTML cannot yet).
    private async Task GoToFormAsync(IPage page, string path)
    {
        await page.GotoAsync(fixture.Url + path);
        await page.Locator("section.deploy[data-ready]").WaitForAsync();
    }

    // Fluent's inputs are web components: the text goes into the control inside each one's shadow root.
    private static async Task FillAsync(IPage page, string component, string text)
    {
        var control = page.Locator($"{component} input, {component} textarea").First;
        await control.FillAsync(text);
        await control.BlurAsync();
    }
}
