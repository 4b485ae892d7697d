using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Identity;

// Each attack from issue 12, tried as an enrolled node would, and refused.
[Trait(TestLevel.Name, TestLevel.Api)]
public partial class NodeIdentityTests(EnrollmentFixture fixture) : IClassFixture<EnrollmentFixture>
{
    [Fact]
    public async Task NodeCredentialCannotObtainAnAdminToken()
    {
        var node = await fixture.EnrollNodeAsync();
        using var client = fixture.Manager.CreateClient("10.9.3.1");
        await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = node.Credential })).AssertProblemAsync(401);
        // Nor does its node token open admin endpoints.
        Assert.Equal(403, (int)(await node.Client.GetAsync("/api/v1/cluster/containers")).StatusCode);
        Assert.Equal(403, (int)(await node.Client.DeleteAsync($"/api/v1/cluster/containers/{node.ContainerId}")).StatusCode);
        Assert.Equal(403, (int)(await node.Client.PostAsJsonAsync("/api/v1/cluster/agents/deploy", new { agent_type = "process" })).StatusCode);
    }

    [Fact]
    public async Task SharedPasswordClusterLoginIsRefusedWhileTheSwitchIsOff()
    {
        using var client = fixture.Manager.CreateClient("10.9.3.2");
        await (await client.PostAsJsonAsync("/api/v1/auth/token",
            new { username = "cluster", password = ManagerFactory.AdminPassword, container_name = "orchestrator-1-cluster" })).AssertProblemAsync(401);
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var status = await admin.GetJsonAsync("/api/v1/cluster/status");
        Assert.Equal("enrollment", status.GetProperty("node_authentication").GetString());
    }

    [Fact]
    public async Task TheSeedsAdminClientMayStillRegister()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var registered = await admin.RegisterAsync(Registrations.UniqueName("seed-client"));
        Assert.StartsWith("ctr-", registered.ContainerId);
    }

    [Fact]
    public async Task NodeCannotRegisterHeartbeatLongPollOrReportAsAnotherContainer()
    {
        var attacker = await fixture.EnrollNodeAsync("1");
        var victim = await fixture.EnrollNodeAsync("2");
        var before = await fixture.SnapshotAsync();

        var payload = Registrations.SeedPayload(victim.Name, host: "6.6.6.6");
        await (await attacker.Client.PostAsJsonAsync("/api/v1/cluster/containers/register", payload)).AssertProblemAsync(403);
        await (await attacker.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{victim.ContainerId}/heartbeat",
            Registrations.Heartbeat(victim.ContainerId))).AssertProblemAsync(403);
        await (await attacker.Client.GetAsync($"/api/v1/cluster/containers/{victim.ContainerId}/assignments?wait=0")).AssertProblemAsync(403);
        await (await attacker.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{victim.ContainerId}/agents/report",
            new { container_id = victim.ContainerId, agents = Array.Empty<object>() })).AssertProblemAsync(403);

        Assert.Equal(before, await fixture.SnapshotAsync());
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        Assert.Equal("127.0.0.1", (await admin.GetJsonAsync($"/api/v1/cluster/containers/{victim.ContainerId}")).GetProperty("host_address").GetString());
    }

    [Fact]
    public async Task NodeMayUpdateItsAddressPortAndResources()
    {
        var node = await fixture.EnrollNodeAsync("3");
        var response = await node.Client.PostAsJsonAsync("/api/v1/cluster/containers/register", new
        {
            container_name = node.Name, host_address = "10.1.2.3", api_port = 8005, capabilities = new[] { "agent_runner" },
            resources = new { cpu_count = 4 }, metadata = new { orchestrator_id = "3" }, max_agents = 8,
        });
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(node.ContainerId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_id").GetString());
        Assert.Equal(200, (int)(await node.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}/heartbeat",
            Registrations.Heartbeat(node.ContainerId))).StatusCode);
        Assert.Equal(200, (int)(await node.Client.GetAsync($"/api/v1/cluster/containers/{node.ContainerId}/assignments?wait=0")).StatusCode);
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var view = await admin.GetJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}");
        Assert.Equal("10.1.2.3", view.GetProperty("host_address").GetString());
        Assert.Equal(8, view.GetProperty("max_agents").GetInt32());
    }

    [Fact]
    public async Task SpoofedOrchestratorIdIsRefusedAtEnrollmentAndAtRegistration()
    {
        var token = await fixture.CreateTokenAsync("1");
        var before = await fixture.SnapshotAsync();
        var problem = await (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName(), orchestratorId: "2")))
            .AssertProblemAsync(403);
        Assert.Equal("metadata.orchestrator_id", problem.Extension("field"));
        Assert.Equal(before, await fixture.SnapshotAsync());

        var node = await fixture.EnrollNodeAsync("1");
        before = await fixture.SnapshotAsync();
        var spoof = await node.Client.PostAsJsonAsync("/api/v1/cluster/containers/register", new
        {
            container_name = node.Name, host_address = "127.0.0.1", api_port = 8001, metadata = new { orchestrator_id = "2" },
        });
        Assert.Equal("metadata.orchestrator_id", (await spoof.AssertProblemAsync(403)).Extension("field"));
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task OverBoundMaxAgentsAndCapabilitiesAreRefused()
    {
        var token = await fixture.CreateTokenAsync(new { orchestrator_id = "1", max_uses = 3, max_agents = 4, capabilities = new[] { "agent_runner" } });
        var before = await fixture.SnapshotAsync();
        var tooMany = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName(), maxAgents: 10_000));
        Assert.Equal("max_agents", (await tooMany.AssertProblemAsync(403)).Extension("field"));
        // EnrollBody offers orchestrator_cluster too, which this token does not allow.
        var extra = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName(), maxAgents: 4));
        Assert.Equal("capabilities", (await extra.AssertProblemAsync(403)).Extension("field"));
        Assert.Equal(before, await fixture.SnapshotAsync());

        var node = await fixture.EnrollNodeAsync("1");
        before = await fixture.SnapshotAsync();
        var grow = await node.Client.PostAsJsonAsync("/api/v1/cluster/containers/register", new
        {
            container_name = node.Name, host_address = "127.0.0.1", api_port = 8001, max_agents = 10_000,
        });
        Assert.Equal("max_agents", (await grow.AssertProblemAsync(403)).Extension("field"));
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task LabelsFromTheTokenAreSetByTheManagerAndCannotBeChanged()
    {
        var token = await fixture.CreateTokenAsync(new { orchestrator_id = "1", labels = new Dictionary<string, string> { ["region"] = "eu" } });
        var name = Registrations.UniqueName("labelled");
        var body = new
        {
            enrollment_token = token, container_name = name, host_address = "127.0.0.1", api_port = 8001,
            metadata = new { orchestrator_id = "1", region = "us" },
        };
        Assert.Equal("metadata.region", (await (await fixture.EnrollAsync(body)).AssertProblemAsync(403)).Extension("field"));
        var enrolled = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, name));
        var id = (await enrolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_id").GetString();
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        Assert.Equal("eu", (await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}")).GetProperty("metadata").GetProperty("region").GetString());
    }

    // The token issued is the credential's own container's, so the audit log names that one, not the name asked for.
    [Fact]
    public async Task ANodeLoginNamingAnotherContainerIsAuditedAsTheCredentialsOwnContainer()
    {
        var node = await fixture.EnrollNodeAsync("4");
        var other = await fixture.EnrollNodeAsync("4");
        await fixture.LoginAsync(node.Credential, other.Name);
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        // Each enrolled node logged in once itself (EnrollNodeAsync); the login naming the other counts as the node's.
        Assert.Equal(1, await LoginsAsync(admin, other.Name));
        Assert.Equal(2, await LoginsAsync(admin, node.Name));
    }

    private static async Task<int> LoginsAsync(HttpClient admin, string name)
    {
        var page = await admin.GetJsonAsync($"/api/v1/audit?actor=cluster:{name}&action=login");
        return page.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("outcome").GetString() == "success");
    }
}
