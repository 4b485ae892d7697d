using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Identity;

[Trait(TestLevel.Name, TestLevel.Api)]
public class RevocationTests(EnrollmentFixture fixture) : IClassFixture<EnrollmentFixture>
{
    [Fact]
    public async Task RevokedNodeGets401OnItsNextCallWhateverTokenItHoldsAndShowsRevoked()
    {
        var node = await fixture.EnrollNodeAsync();
        Assert.Equal(200, (int)(await node.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}/heartbeat",
            Registrations.Heartbeat(node.ContainerId))).StatusCode);

        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var revoked = await admin.PostAsync($"/api/v1/cluster/containers/{node.ContainerId}/revoke", null);
        Assert.Equal(200, (int)revoked.StatusCode);

        // Its still-unexpired token stops working at once, on every endpoint.
        var problem = await (await node.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}/heartbeat",
            Registrations.Heartbeat(node.ContainerId))).AssertProblemAsync(401);
        Assert.Equal("Credential revoked", problem.Title);
        await (await node.Client.GetAsync($"/api/v1/cluster/containers/{node.ContainerId}/assignments?wait=0")).AssertProblemAsync(401);
        await (await node.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}/agents/report",
            new { container_id = node.ContainerId, agents = Array.Empty<object>() })).AssertProblemAsync(401);
        await (await node.Client.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(node.Name))).AssertProblemAsync(401);
        using var login = fixture.Manager.CreateClient("10.9.4.1");
        await (await login.PostAsJsonAsync("/api/v1/auth/token", new { username = "cluster", password = node.Credential, container_name = node.Name }))
            .AssertProblemAsync(401);

        var view = await admin.GetJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}");
        Assert.Equal("revoked", view.GetProperty("status").GetString());
        var status = await admin.GetJsonAsync("/api/v1/cluster/status");
        Assert.True(status.GetProperty("containers_by_status").GetProperty("revoked").GetInt32() >= 1);
    }

    [Fact]
    public async Task RevokingAnUnknownContainerIsNotFound()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        await (await admin.PostAsync("/api/v1/cluster/containers/ctr-nope/revoke", null)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task CredentialOfADeletedContainerIsRefusedAndCannotRecreateIt()
    {
        var node = await fixture.EnrollNodeAsync();
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        Assert.Equal(204, (int)(await admin.DeleteAsync($"/api/v1/cluster/containers/{node.ContainerId}")).StatusCode);
        var before = await fixture.SnapshotAsync();
        using var login = fixture.Manager.CreateClient("10.9.4.2");
        await (await login.PostAsJsonAsync("/api/v1/auth/token", new { username = "cluster", password = node.Credential, container_name = node.Name }))
            .AssertProblemAsync(401);
        // The token it still holds cannot register its name back into existence.
        await (await node.Client.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(node.Name))).AssertProblemAsync(401);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task ReEnrollingARevokedNodeNeedsANewTokenAndMakesItHealthyAgain()
    {
        var node = await fixture.EnrollNodeAsync("9");
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        await admin.PostAsync($"/api/v1/cluster/containers/{node.ContainerId}/revoke", null);
        var again = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(await fixture.CreateTokenAsync("9"), node.Name, "9"));
        var body = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(node.ContainerId, body.GetProperty("container_id").GetString());
        Assert.Equal("healthy", (await admin.GetJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}")).GetProperty("status").GetString());
        await fixture.LoginAsync(body.GetProperty("credential").GetString()!, node.Name);
    }
}
