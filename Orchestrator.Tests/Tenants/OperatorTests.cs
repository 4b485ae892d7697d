using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;
using StackExchange.Redis;

namespace Orchestrator.Tests.Tenants;

// Scoped operators: created by the admin, shown their api_key once, logged in with the seed's login body,
// revoked at once by DELETE.
[Trait(TestLevel.Name, TestLevel.Api)]
public class OperatorTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task AnOperatorLogsInWithItsApiKeyAndGetsATokenCarryingItsRoleAndTenants()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var (a, b) = (TenantClients.UniqueTenant(), TenantClients.UniqueTenant());
        var created = await admin.CreateOperatorAsync("operator", a, b);
        Assert.StartsWith("opk_", created.ApiKey);
        Assert.Equal([a, b], created.Tenants);

        var token = await Manager.LoginAsync(created.Name, created.ApiKey);
        Assert.Equal("operator", token.Role);
        var jwt = new JsonWebTokenHandler().ReadJsonWebToken(token.AccessToken);
        Assert.Equal("operator", jwt.GetClaim("role").Value);
        Assert.Equal(created.Name, jwt.GetClaim("operator").Value);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal),
            jwt.Claims.Where(c => c.Type == "tenants").Select(c => c.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheApiKeyIsShownOnceAndStoredOnlyAsAHash()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var created = await admin.CreateOperatorAsync("viewer", TenantClients.UniqueTenant());
        var redis = Manager.Services.GetRequiredService<IConnectionMultiplexer>().GetServer(fixture.Redis.ConnectionString.Split(',')[0]);
        var db = Manager.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        foreach (var key in redis.Keys(pattern: "*"))
        {
            if (await db.KeyTypeAsync(key) != RedisType.Hash) continue;
            foreach (var entry in await db.HashGetAllAsync(key))
                Assert.DoesNotContain(created.ApiKey, entry.Value.ToString());
        }
        var listed = await admin.GetAsync(ManagerRoutes.Operators, ProtocolJsonContext.Default.OperatorListResponse);
        Assert.Contains(listed.Operators, o => o.Name == created.Name && o.Role == "viewer");
        Assert.DoesNotContain(created.ApiKey, await (await admin.GetAsync(ManagerRoutes.Operators)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeletingAnOperatorMakesItsNextRequestUnauthorized()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var created = await admin.CreateOperatorAsync("operator", TenantClients.UniqueTenant());
        using var scoped = await Manager.CreateOperatorClientAsync(created);
        // Authenticated (403: the route is the admin's), until the operator is deleted.
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.GetAsync(ManagerRoutes.Operators)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(ManagerRoutes.WithId(ManagerRoutes.Operator, created.Name))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await scoped.GetAsync(ManagerRoutes.Operators)).StatusCode);
        using var client = Manager.CreateClient("10.13.0.1");
        var login = await client.PostAsJsonAsync(ManagerRoutes.Token, new { username = created.Name, password = created.ApiKey });
        await login.AssertProblemAsync(401);
    }

    [Fact]
    public async Task AnOperatorCreatedAgainUnderTheSameNameDoesNotReviveTheOldTokens()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var first = await admin.CreateOperatorAsync("operator", tenant);
        using var old = await Manager.CreateOperatorClientAsync(first);
        await admin.DeleteAsync(ManagerRoutes.WithId(ManagerRoutes.Operator, first.Name));
        (await admin.PostAsJsonAsync(ManagerRoutes.Operators, new { name = first.Name, tenants = new[] { tenant }, role = "operator" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync(ManagerRoutes.Operators)).StatusCode);
    }

    [Fact]
    public async Task OnlyTheAdminManagesOperators()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        using var scoped = await Manager.CreateScopedClientAsync(admin, "operator", TenantClients.UniqueTenant());
        var body = new { name = TenantClients.UniqueOperator(), tenants = new[] { "1" }, role = "operator" };
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.PostAsJsonAsync(ManagerRoutes.Operators, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.GetAsync(ManagerRoutes.Operators)).StatusCode);
        using var anonymous = Manager.CreateClient("10.13.0.2");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(ManagerRoutes.Operators, body)).StatusCode);
    }

    [Theory]
    [InlineData("""{"tenants":["1"],"role":"operator"}""", "name")]
    [InlineData("""{"name":"Upper Case","tenants":["1"],"role":"operator"}""", "name")]
    [InlineData("""{"name":"admin","tenants":["1"],"role":"operator"}""", "name")]
    [InlineData("""{"name":"acme-ops","tenants":["1"],"role":"root"}""", "role")]
    [InlineData("""{"name":"acme-ops","tenants":["1"]}""", "role")]
    [InlineData("""{"name":"acme-ops","tenants":[],"role":"viewer"}""", "tenants")]
    [InlineData("""{"name":"acme-ops","tenants":["a b"],"role":"viewer"}""", "tenants")]
    public async Task ABadOperatorIsRefusedNamingTheFieldAndNothingIsStored(string body, string field)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var before = (await admin.GetAsync(ManagerRoutes.Operators, ProtocolJsonContext.Default.OperatorListResponse)).Count;
        var response = await admin.PostAsync(ManagerRoutes.Operators, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.Names(field), problem.Named());
        Assert.Equal(before, (await admin.GetAsync(ManagerRoutes.Operators, ProtocolJsonContext.Default.OperatorListResponse)).Count);
    }

    [Fact]
    public async Task ADuplicateOperatorNameIsAConflictAndTheFirstKeepsWorking()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var created = await admin.CreateOperatorAsync("viewer", TenantClients.UniqueTenant());
        var again = await admin.PostAsJsonAsync(ManagerRoutes.Operators, new { name = created.Name, tenants = new[] { "other" }, role = "operator" });
        var problem = await again.AssertProblemAsync(409);
        Assert.Equal("name", problem.Extension("field"));
        Assert.Equal("viewer", (await Manager.LoginAsync(created.Name, created.ApiKey)).Role);
    }

    [Fact]
    public async Task DeletingAnUnknownOperatorIsNotFound()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var problem = await (await admin.DeleteAsync(ManagerRoutes.WithId(ManagerRoutes.Operator, "nobody-here"))).AssertProblemAsync(404);
        Assert.Equal("Unknown operator", problem.Title);
    }

    [Fact]
    public async Task AWrongApiKeyIsRefusedLikeAWrongPassword()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var created = await admin.CreateOperatorAsync("operator", TenantClients.UniqueTenant());
        using var client = Manager.CreateClient("10.13.0.3");
        var response = await client.PostAsJsonAsync(ManagerRoutes.Token, new { username = created.Name, password = "opk_wrong" });
        Assert.Equal("Invalid credentials", (await response.AssertProblemAsync(401)).Title);
    }
}
