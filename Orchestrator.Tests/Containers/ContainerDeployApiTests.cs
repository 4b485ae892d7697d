using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Containers;

// The manager's side of container agents (issue 24), over HTTP against a real Redis: config checked at deploy
// with the field named, a tenant's require_image_digest, image_digest shown from the node's report, placement
// only where the `container` capability is advertised, and capacity by resources with a 409 naming the resource.
// Each test places on its own tenant (orchestrator_id), so tests sharing the manager never see each other's nodes.
[Trait(TestLevel.Name, TestLevel.Api)]
public class ContainerDeployApiTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private const string Digest = "sha256:5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5";

    private ManagerFactory Manager => fixture.Manager;

    public static TheoryData<string, string> BadConfigs => new()
    {
        { """{}""", "agent_config.image" },
        { """{"image":"127.0.0.1:5000/bots/momentum"}""", "agent_config.image" },
        { """{"image":"Bots/UPPER:1"}""", "agent_config.image" },
        { """{"image":"r/b:1","command":"run"}""", "agent_config.command" },
        { """{"image":"r/b:1","env":{"SYMBOL":1}}""", "agent_config.env.SYMBOL" },
        { """{"image":"r/b:1","resources":{"memory_mb":2}}""", "agent_config.resources.memory_mb" },
        { """{"image":"r/b:1","resources":{"cpus":0}}""", "agent_config.resources.cpus" },
        { """{"image":"r/b:1","resources":{"memory":64}}""", "agent_config.resources.memory" },
        { """{"image":"r/b:1","resources":{"pids":"many"}}""", "agent_config.resources.pids" },
        { """{"image":"r/b:1","stop_timeout_seconds":-1}""", "agent_config.stop_timeout_seconds" },
        { """{"image":"r/b:1","network":"host"}""", "agent_config.network" },
        { """{"image":"r/b:1","health_check":{"http":{"path":"/health"}}}""", "agent_config.health_check.http.port" },
        { """{"image":"r/b:1","health_check":{"exec":["true"],"tcp":{"port":80}}}""", "agent_config.health_check" },
        { """{"image":"r/b:1","health_check":{"tcp":{"port":80},"retries":0}}""", "agent_config.health_check.retries" },
        { """{"image":"r/b:1","image_pull_secret":"../x"}""", "agent_config.image_pull_secret" },
        { """{"image":"r/b:1","image_pull_secret":7}""", "agent_config.image_pull_secret" },
        { """{"image":"r/b:1","image_pull_secret":"no-such-secret"}""", "agent_config.image_pull_secret" },
        { """{"image":"r/b:1","max_lock_seconds":-1}""", "agent_config.max_lock_seconds" },
        { """{"image":"r/b:1","max_lock_seconds":"forever"}""", "agent_config.max_lock_seconds" },
        { """{"image":"r/b:1","max_lock_seconds":86401}""", "agent_config.max_lock_seconds" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task A_container_deploy_with_bad_config_is_a_400_naming_the_field_and_places_nothing(string config, string field)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = UniqueTenant();
        var node = await RegisterNodeAsync(admin, tenant, [ContainerAgentConfig.Capability]);

        var problem = await (await admin.DeployAsync(Body(tenant, JsonNode.Parse(config)!))).AssertProblemAsync(400);

        Assert.True(problem.Errors?.ContainsKey(field) == true, $"expected {field}, got {problem.Named()}");
        Assert.Equal(0, await admin.AssignedAsync(node));
    }

    [Fact]
    public async Task A_valid_container_deploy_is_placed_and_its_node_sees_the_config_as_sent()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = UniqueTenant();
        var node = await RegisterNodeAsync(admin, tenant, [ContainerAgentConfig.Capability]);
        var config = JsonNode.Parse($$$"""
            {"image":"127.0.0.1:5000/bots/momentum@{{{Digest}}}","command":["/app/bot"],"env":{"SYMBOL":"BTC-USD"},
             "resources":{"cpus":0.25,"memory_mb":128,"pids":64},"stop_timeout_seconds":20,"network":"none","keep_volume":true,
             "health_check":{"http":{"port":8080,"path":"/health"},"interval_seconds":5,"timeout_seconds":2,"retries":3}}
            """)!;

        var deployed = await admin.DeployOkAsync(Body(tenant, config));

        Assert.Equal(node, Assert.Single(deployed.Agents).ContainerId);
        var assignment = Assert.Single((await admin.GetAssignmentsAsync(node)).Assignments);
        Assert.Equal(ContainerAgentConfig.AgentType, assignment.AgentType);
        Assert.Equal(128, assignment.AgentConfig.GetProperty("resources").GetProperty("memory_mb").GetInt32());
    }

    [Fact]
    public async Task A_container_agent_is_placed_only_on_a_node_advertising_the_container_capability()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = UniqueTenant();
        await RegisterNodeAsync(admin, tenant, ["agent_runner"]);

        await (await admin.DeployAsync(Body(tenant, Image("r/b:1")))).AssertProblemAsync(422);

        var capable = await RegisterNodeAsync(admin, tenant, ["agent_runner", ContainerAgentConfig.Capability]);
        Assert.All((await admin.DeployOkAsync(Body(tenant, Image("r/b:1"), replicas: 3))).Agents, a => Assert.Equal(capable, a.ContainerId));
    }

    [Fact]
    public async Task A_tenant_requiring_image_digests_refuses_a_tag_naming_the_image_and_takes_a_digest()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = UniqueTenant();
        var node = await RegisterNodeAsync(admin, tenant, [ContainerAgentConfig.Capability]);
        var set = await admin.PutAsJsonAsync($"/api/v1/tenants/{tenant}", new { max_containers = (int?)null, max_agents = (int?)null, require_image_digest = true });
        Assert.True((await set.ReadAsync(ProtocolJsonContext.Default.TenantView)).RequireImageDigest);

        var problem = await (await admin.DeployAsync(Body(tenant, Image("127.0.0.1:5000/bots/momentum:1.2")))).AssertProblemAsync(400);

        Assert.Contains(tenant, Assert.Single(problem.Errors!["agent_config.image"]));
        Assert.Equal(0, await admin.AssignedAsync(node));
        await admin.DeployOkAsync(Body(tenant, Image($"127.0.0.1:5000/bots/momentum@{Digest}")));
        Assert.True((await admin.GetAsync($"/api/v1/tenants/{tenant}", ProtocolJsonContext.Default.TenantView)).RequireImageDigest);
    }

    [Fact]
    public async Task The_image_digest_a_node_reports_is_shown_on_the_agent()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = UniqueTenant();
        var node = await RegisterNodeAsync(admin, tenant, [ContainerAgentConfig.Capability]);
        var agent = Assert.Single((await admin.DeployOkAsync(Body(tenant, Image("127.0.0.1:5000/bots/momentum:1.2")))).Agents).AgentId;
        Assert.Null((await admin.GetAgentAsync(agent)).ImageDigest);

        var report = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{node}/agents/report", new
        {
            container_id = node,
            agents = new[] { new { agent_id = agent, state = "running", epoch = 1, restarts = 0, image_digest = Digest } },
        });
        Assert.Equal([agent], (await report.ReadAsync(ProtocolJsonContext.Default.AgentReportResponse)).Accepted);

        Assert.Equal(Digest, (await admin.GetAgentAsync(agent)).ImageDigest);
        Assert.Contains((await admin.ListAgentsAsync($"?container_id={node}")).Agents, a => a.AgentId == agent && a.ImageDigest == Digest);
        var bad = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{node}/agents/report", new
        {
            container_id = node,
            agents = new[] { new { agent_id = agent, state = "running", epoch = 1, restarts = 0, image_digest = "latest" } },
        });
        Assert.True((await bad.AssertProblemAsync(400)).Errors!.ContainsKey("agents[0].image_digest"));
    }

    [Fact]
    public async Task Deploys_past_a_nodes_memory_are_a_409_naming_the_resource_and_the_distribution_shows_used_against_total()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = UniqueTenant();
        // Registered with 2 CPUs and 2 GiB (2048 MB), max_agents 10.
        var node = await RegisterNodeAsync(admin, tenant, [ContainerAgentConfig.Capability]);
        var big = Image("r/b:1", """{"cpus":0.5,"memory_mb":900}""");

        await admin.DeployOkAsync(Body(tenant, big, replicas: 2));
        var problem = await (await admin.DeployAsync(Body(tenant, big))).AssertProblemAsync(409);

        Assert.Equal("agent_config.resources.memory_mb", problem.Extensions!["field"].GetString());
        Assert.Equal(2, await admin.AssignedAsync(node));
        var row = Assert.Single((await admin.GetDistributionAsync()).Containers, c => c.ContainerId == node);
        Assert.Equal((1.0, 2.0, 1800L, 2048L), (row.CpusReserved, row.CpusTotal, row.MemoryMbReserved, row.MemoryMbTotal));
    }

    [Fact]
    public async Task A_hundred_parallel_container_deploys_over_http_never_reserve_more_cpus_than_the_nodes_have()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = UniqueTenant();
        var nodes = new[] { await RegisterNodeAsync(admin, tenant, [ContainerAgentConfig.Capability], maxAgents: 50),
            await RegisterNodeAsync(admin, tenant, [ContainerAgentConfig.Capability], maxAgents: 50) };
        // 2 CPUs per node: eight agents of 0.5 CPUs in all.
        var body = Body(tenant, Image("r/b:1", """{"cpus":0.5,"memory_mb":64}"""));

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => admin.DeployAsync(body)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.All(statuses, s => Assert.Contains(s, new[] { 201, 409 }));
        Assert.InRange(statuses.Count(s => s == 201), 1, 8);
        var rows = (await admin.GetDistributionAsync()).Containers.Where(c => nodes.Contains(c.ContainerId)).ToList();
        Assert.All(rows, r => Assert.InRange(r.CpusReserved, 0, r.CpusTotal));
        Assert.Equal(statuses.Count(s => s == 201), rows.Sum(r => r.Agents));
        Assert.Equal(statuses.Count(s => s == 201) * 0.5, rows.Sum(r => r.CpusReserved), 3);
    }

    private static string UniqueTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    private static JsonNode Image(string image, string? resources = null) =>
        JsonNode.Parse($$"""{"image":"{{image}}","resources":""" + (resources ?? "null") + "}")!;

    private static object Body(string tenant, JsonNode config, int replicas = 1) => new
    {
        agent_type = ContainerAgentConfig.AgentType,
        agent_config = config,
        replicas,
        constraints = new { orchestrator_id = tenant },
    };

    private static async Task<string> RegisterNodeAsync(HttpClient admin, string tenant, string[] capabilities, int maxAgents = 10)
    {
        var response = await admin.PostAsJsonAsync(ManagerRoutes.Register, new
        {
            container_name = Registrations.UniqueName(),
            host_address = "127.0.0.1",
            api_port = 8001,
            capabilities,
            resources = new { cpu_count = 2, memory_limit = 2147483648 },
            metadata = new { orchestrator_id = tenant },
            max_agents = maxAgents,
        });
        var id = (await response.ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse)).ContainerId;
        (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id, activeAgents: 0))).EnsureSuccessStatusCode();
        return id;
    }
}
