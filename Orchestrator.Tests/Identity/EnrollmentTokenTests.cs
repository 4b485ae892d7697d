using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Identity;

[Trait(TestLevel.Name, TestLevel.Api)]
public class EnrollmentTokenTests(EnrollmentFixture fixture) : IClassFixture<EnrollmentFixture>
{
    [Fact]
    public async Task CreatedTokenIsShownOnceAndRedisHoldsOnlyItsHash()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/enrollment-tokens",
            new { orchestrator_id = "7", ttl_seconds = 600, max_uses = 2, max_agents = 5, capabilities = new[] { "agent_runner" } });
        Assert.Equal(201, (int)response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = created.GetProperty("token").GetString()!;
        var tokenId = created.GetProperty("token_id").GetString()!;
        Assert.True(created.GetProperty("expires_at").GetDateTimeOffset() > fixture.Manager.Time.GetUtcNow());

        var listing = await (await admin.GetAsync("/api/v1/cluster/enrollment-tokens")).Content.ReadAsStringAsync();
        Assert.Contains(tokenId, listing);
        Assert.DoesNotContain(token, listing);
        var snapshot = await fixture.SnapshotAsync();
        Assert.DoesNotContain(token.Split('.')[1], snapshot);
        Assert.Contains(tokenId, snapshot);
    }

    [Fact]
    public async Task EnrollingReturnsACredentialThatLogsInAsAShortLivedNodeTokenWithItsIdentity()
    {
        var token = await fixture.CreateTokenAsync("42");
        var name = Registrations.UniqueName("enroll");
        var response = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, name, "42"));
        Assert.Equal(201, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("container_id").GetString()!;
        Assert.Equal("42", body.GetProperty("orchestrator_id").GetString());

        using var login = fixture.Manager.CreateClient("10.9.1.1");
        var tokenResponse = await login.PostAsJsonAsync("/api/v1/auth/token",
            new { username = "cluster", password = body.GetProperty("credential").GetString(), container_name = name });
        var issued = await tokenResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(15 * 60, issued.GetProperty("expires_in").GetInt32());
        var jwt = new JsonWebTokenHandler().ReadJsonWebToken(issued.GetProperty("access_token").GetString());
        Assert.Equal(id, jwt.GetClaim("container_id").Value);
        Assert.Equal("42", jwt.GetClaim("orchestrator_id").Value);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));

        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var container = await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}");
        Assert.Equal("42", container.GetProperty("metadata").GetProperty("orchestrator_id").GetString());
        Assert.Equal("healthy", container.GetProperty("status").GetString());
    }

    [Fact]
    public async Task TokenIsRefusedAfterMaxUsesAndNothingIsStored()
    {
        var token = await fixture.CreateTokenAsync("1", maxUses: 1);
        Assert.Equal(201, (int)(await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName()))).StatusCode);
        var before = await fixture.SnapshotAsync();
        var problem = await (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName()), "10.9.1.2")).AssertProblemAsync(401);
        Assert.Contains("used", problem.Detail);
        Assert.Equal("enrollment_token", problem.Extension("field"));
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task TokenIsRefusedAfterItExpires()
    {
        var token = await fixture.CreateTokenAsync(new { orchestrator_id = "1", ttl_seconds = 60, max_uses = 5 });
        fixture.Manager.Time.Advance(TimeSpan.FromSeconds(61));
        // The jump also makes the liveness loop mark the class's earlier containers unhealthy, whenever it next
        // runs: wait for that first, so the snapshots below differ only by what the refused enrollment wrote.
        await WaitUntilNoContainerIsHealthyAsync();
        var before = await fixture.SnapshotAsync();
        var problem = await (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName()), "10.9.1.3")).AssertProblemAsync(401);
        Assert.Contains("expired", problem.Detail);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task TokenIsRefusedAfterDelete()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var created = await (await admin.PostAsJsonAsync("/api/v1/cluster/enrollment-tokens",
            new { orchestrator_id = "1", ttl_seconds = 600, max_uses = 5 })).Content.ReadFromJsonAsync<JsonElement>();
        var tokenId = created.GetProperty("token_id").GetString();
        Assert.Equal(204, (int)(await admin.DeleteAsync($"/api/v1/cluster/enrollment-tokens/{tokenId}")).StatusCode);
        await (await admin.DeleteAsync($"/api/v1/cluster/enrollment-tokens/{tokenId}")).AssertProblemAsync(404);
        var before = await fixture.SnapshotAsync();
        await (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(created.GetProperty("token").GetString()!, Registrations.UniqueName()), "10.9.1.4"))
            .AssertProblemAsync(401);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("0123456789ab.0000000000000000000000000000000000000000000000000000")]
    public async Task MalformedOrUnknownTokenIsRefusedAndNothingIsStored(string token)
    {
        var before = await fixture.SnapshotAsync();
        var response = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName()), $"10.9.2.{token.Length % 250}");
        Assert.Contains((int)response.StatusCode, new[] { 400, 401 });
        var problem = await response.AssertProblemAsync((int)response.StatusCode);
        Assert.True(problem.Names("enrollment_token") || problem.Extension("field") == "enrollment_token",
            $"enrollment_token named in {problem.Named()} / field {problem.Extension("field")}");
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task TokenRequestsBeyondLimitsAreRefusedNamingEachField()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var before = await fixture.SnapshotAsync();
        var problem = await (await admin.PostAsJsonAsync("/api/v1/cluster/enrollment-tokens", new
        {
            orchestrator_id = "bad id!", ttl_seconds = 5, max_uses = 0, max_agents = 20_000,
            capabilities = new[] { "" }, labels = new Dictionary<string, string> { ["orchestrator_id"] = "2" },
        })).AssertProblemAsync(400);
        foreach (var field in new[] { "orchestrator_id", "ttl_seconds", "max_uses", "max_agents", "capabilities", "labels" })
            Assert.True(problem.Names(field), $"{field} not named in {problem.Named()}");
        await (await admin.PostAsJsonAsync("/api/v1/cluster/enrollment-tokens", new { ttl_seconds = 600 })).AssertProblemAsync(400);
        Assert.Equal(before, await fixture.SnapshotAsync());
    }

    [Fact]
    public async Task OnlyAdminsManageEnrollmentTokens()
    {
        var node = await fixture.EnrollNodeAsync();
        Assert.Equal(403, (int)(await node.Client.PostAsJsonAsync("/api/v1/cluster/enrollment-tokens", new { orchestrator_id = "1" })).StatusCode);
        Assert.Equal(403, (int)(await node.Client.GetAsync("/api/v1/cluster/enrollment-tokens")).StatusCode);
        using var anonymous = fixture.Manager.CreateClient("10.9.1.5");
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/v1/cluster/enrollment-tokens")).StatusCode);
    }

    [Fact]
    public async Task NameEnrolledUnderAnotherOrchestratorIdIsAConflictAndTheTokenIsNotUsed()
    {
        var name = Registrations.UniqueName("taken");
        Assert.Equal(201, (int)(await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(await fixture.CreateTokenAsync("1"), name, "1"))).StatusCode);
        var other = await fixture.CreateTokenAsync("2");
        var before = await fixture.SnapshotAsync();
        var problem = await (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(other, name, "2"))).AssertProblemAsync(409);
        Assert.Equal("container_name", problem.Extension("field"));
        Assert.Equal(before, await fixture.SnapshotAsync());
        // The token was not spent: it still enrolls a free name.
        Assert.Equal(201, (int)(await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(other, Registrations.UniqueName(), "2"))).StatusCode);
    }

    // Any token of the tenant would otherwise take over a running node (its id, desired state and, later, secrets).
    [Fact]
    public async Task EnrollingUnderALiveNodesNameIsRefusedUnlessTheTokenWasCreatedToReplaceIt()
    {
        var node = await fixture.EnrollNodeAsync("5");
        var plain = await fixture.CreateTokenAsync("5");
        var before = await fixture.SnapshotAsync();
        var refused = await (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(plain, node.Name, "5"))).AssertProblemAsync(409);
        Assert.Equal("container_name", refused.Extension("field"));
        Assert.Equal("Name held by a live node", refused.Title);
        Assert.Equal(before, await fixture.SnapshotAsync());
        Assert.False(string.IsNullOrEmpty(await fixture.LoginAsync(node.Credential, node.Name)));

        // replaces must name a container of the token's own tenant.
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var elsewhere = await admin.PostAsJsonAsync("/api/v1/cluster/enrollment-tokens", new { orchestrator_id = "6", replaces = node.ContainerId });
        Assert.True((await elsewhere.AssertProblemAsync(400)).Names("replaces"));

        var replacing = await fixture.CreateTokenAsync(new { orchestrator_id = "5", replaces = node.ContainerId });
        var again = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(replacing, node.Name, "5"));
        Assert.Equal(node.ContainerId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_id").GetString());
        using var login = fixture.Manager.CreateClient("10.9.1.6");
        await (await login.PostAsJsonAsync("/api/v1/auth/token", new { username = "cluster", password = node.Credential, container_name = node.Name }))
            .AssertProblemAsync(401);
        await (await node.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}/heartbeat", Registrations.Heartbeat(node.ContainerId)))
            .AssertProblemAsync(401);
    }

    private async Task WaitUntilNoContainerIsHealthyAsync()
    {
        var server = fixture.Connection.GetServer(fixture.Connection.GetEndPoints()[0]);
        var db = fixture.Connection.GetDatabase();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var healthy = 0;
            foreach (var key in server.Keys(pattern: "orchestrator:container:*"))
            {
                if (await db.KeyTypeAsync(key) == StackExchange.Redis.RedisType.Hash && await db.HashGetAsync(key, "status") == "healthy") healthy++;
            }
            if (healthy == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"{healthy} containers still healthy after the clock jumped past their heartbeats");
            await Task.Delay(50);
        }
    }
}
