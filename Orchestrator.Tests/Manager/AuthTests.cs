using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Orchestrator.Tests.Manager;

[Trait(TestLevel.Name, TestLevel.Api)]
public class AuthTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task AdminLoginReturnsABearerTokenWithTheAdminRole()
    {
        using var client = Manager.CreateClient("10.0.0.1");
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = ManagerFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        var token = new JsonWebTokenHandler().ReadJsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("admin", token.GetClaim("role").Value);
    }

    [Fact]
    public async Task ClusterLoginReturnsATokenBoundToItsContainerName()
    {
        using var client = Manager.CreateClient("10.0.0.2");
        var response = await client.PostAsJsonAsync("/api/v1/auth/token",
            new { username = "cluster", password = ManagerFactory.AdminPassword, container_name = "orchestrator-7-cluster" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = new JsonWebTokenHandler().ReadJsonWebToken(body.GetProperty("access_token").GetString());
        Assert.Equal("cluster", token.GetClaim("role").Value);
        Assert.Equal("orchestrator-7-cluster", token.GetClaim("container_name").Value);
    }

    [Fact]
    public async Task ClusterLoginWithoutContainerNameIsRejectedNamingTheField()
    {
        using var client = Manager.CreateClient("10.0.0.3");
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "cluster", password = ManagerFactory.AdminPassword });
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("container_name", out _));
    }

    [Fact]
    public async Task WrongPasswordReturnsUnauthorizedProblem()
    {
        using var client = Manager.CreateClient("10.0.0.4");
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "wrong" });
        await response.AssertProblemAsync(401);
    }

    [Fact]
    public async Task RepeatedFailedLoginsFromOneClientAreRateLimitedAndOtherClientsAreNot()
    {
        using var attacker = Manager.CreateClient("10.0.0.5");
        for (var i = 0; i < 3; i++)
        {
            var failed = await attacker.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "guess" + i });
            await failed.AssertProblemAsync(401);
        }
        // Even the right password is refused while the client is blocked.
        var blocked = await attacker.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = ManagerFactory.AdminPassword });
        await blocked.AssertProblemAsync(429);
        Assert.True(blocked.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 carries Retry-After");

        using var other = Manager.CreateClient("10.0.0.6");
        var allowed = await other.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = ManagerFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task RequestsWithoutATokenGetUnauthorized()
    {
        using var client = Manager.CreateClient("10.0.0.7");
        foreach (var path in new[] { "/api/v1/cluster/containers", "/api/v1/cluster/status" })
        {
            await (await client.GetAsync(path)).AssertProblemAsync(401);
        }
        var register = await client.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload("x"));
        await register.AssertProblemAsync(401);
    }

    [Fact]
    public async Task TokenSignedWithAnotherSecretIsUnauthorized()
    {
        using var client = Manager.CreateClient("10.0.0.8");
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "orchestrator-manager",
            Audience = "orchestrator",
            Claims = new Dictionary<string, object> { ["role"] = "admin" },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[48]), SecurityAlgorithms.HmacSha256),
        });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        await (await client.GetAsync("/api/v1/cluster/containers")).AssertProblemAsync(401);
    }

    [Fact]
    public async Task ClusterTokenIsForbiddenOnAdminRoutes()
    {
        var name = Registrations.UniqueName();
        using var cluster = await Manager.CreateClusterClientAsync(name);
        var id = await cluster.RegisterIdAsync(name);
        foreach (var path in new[] { "/api/v1/cluster/containers", $"/api/v1/cluster/containers/{id}", "/api/v1/cluster/status" })
        {
            await (await cluster.GetAsync(path)).AssertProblemAsync(403);
        }
        await (await cluster.DeleteAsync($"/api/v1/cluster/containers/{id}")).AssertProblemAsync(403);
    }

    [Fact]
    public async Task ClusterTokenCanNeitherRegisterNorHeartbeatForAnotherContainer()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var othersId = await admin.RegisterIdAsync(Registrations.UniqueName("other"));
        var mine = Registrations.UniqueName("mine");
        using var cluster = await Manager.CreateClusterClientAsync(mine);

        var register = await cluster.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(Registrations.UniqueName("else")));
        await register.AssertProblemAsync(403);
        var heartbeat = await cluster.PostAsJsonAsync($"/api/v1/cluster/containers/{othersId}/heartbeat", Registrations.Heartbeat(othersId));
        await heartbeat.AssertProblemAsync(403);
    }
}
