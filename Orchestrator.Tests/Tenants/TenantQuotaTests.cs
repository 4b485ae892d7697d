using System.Net;
using System.Net.Http.Json;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Tenants;
using Orchestrator.Protocol;
using Orchestrator.Tests.Identity;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Tenants;

// Per-tenant quotas: a deploy or an enrollment past one is 409 naming the quota, and nothing is placed.
[Trait(TestLevel.Name, TestLevel.Api)]
public class TenantQuotaTests(EnrollmentFixture fixture) : IClassFixture<EnrollmentFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task ADeployPastATenantsAgentQuotaIsAConflictNamingTheQuotaAndPlacesNothing()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var type = SchedulingClient.UniqueType();
        var container = await RegisterEnrolledAsync(admin, tenant, type, maxAgents: 10);
        await SetQuotaAsync(admin, tenant, maxContainers: null, maxAgents: 3);
        using var operatorA = await Manager.CreateScopedClientAsync(admin, "operator", tenant);

        await operatorA.DeployOkAsync(new { agent_type = type, replicas = 2 });
        var snapshot = await fixture.SnapshotAsync();
        foreach (var caller in new[] { operatorA, admin })
        {
            var problem = await (await caller.DeployAsync(new { agent_type = type, replicas = 2, constraints = new { orchestrator_id = tenant } })).AssertProblemAsync(409);
            Assert.Equal(ProblemTypes.QuotaExceeded.Title, problem.Title);
            Assert.Equal("max_agents", problem.Extension("field"));
            Assert.Equal(tenant, problem.Extension("tenant"));
        }
        Assert.Equal(2, await admin.AssignedAsync(container));
        Assert.Equal(snapshot, await fixture.SnapshotAsync());
        await operatorA.DeployOkAsync(new { agent_type = type });
        Assert.Equal(3, (await TenantAsync(admin, tenant)).Agents);
    }

    [Fact]
    public async Task AnEnrollmentPastATenantsContainerQuotaIsAConflictAndEnrollsNothing()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        await SetQuotaAsync(admin, tenant, maxContainers: 1, maxAgents: null);
        var token = await fixture.CreateTokenAsync(tenant, maxUses: 5);
        var first = Registrations.UniqueName("quota");
        var enrolled = await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, first, tenant));
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        var firstId = (await enrolled.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse))!.ContainerId;

        var snapshot = await fixture.SnapshotAsync();
        var problem = await (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName("quota"), tenant))).AssertProblemAsync(409);
        Assert.Equal(ProblemTypes.QuotaExceeded.Title, problem.Title);
        Assert.Equal("max_containers", problem.Extension("field"));
        Assert.Equal(snapshot, await fixture.SnapshotAsync());
        Assert.Equal(1, (await TenantAsync(admin, tenant)).Containers);

        // The enrolled node enrolling again under its own name (a token made to replace it) keeps its place.
        var replacing = await fixture.CreateTokenAsync(new { orchestrator_id = tenant, replaces = firstId });
        Assert.Equal(HttpStatusCode.Created, (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(replacing, first, tenant))).StatusCode);
    }

    [Fact]
    public async Task ParallelEnrollmentsNeverTakeATenantPastItsContainerQuota()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        await SetQuotaAsync(admin, tenant, maxContainers: 3, maxAgents: null);
        var token = await fixture.CreateTokenAsync(tenant, maxUses: 20);

        // Twelve new nodes at once race for the tenant's three places.
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() =>
            fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token, Registrations.UniqueName("race"), tenant)))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            Assert.Equal(ProblemTypes.QuotaExceeded.Title, (await refused.AssertProblemAsync(409)).Title);
        Assert.Equal(3, (await TenantAsync(admin, tenant)).Containers);
    }

    [Fact]
    public async Task ADeployWhoseTenantsQuotaLeaseStaysTakenIsAskedToRetryNamingTheTenantAndPlacesNothing()
    {
        // A manager that waits at most one second for a quota lease, on the fixture's Redis.
        await using var impatient = new ManagerFactory(fixture.Redis, new()
        {
            ["Manager:AllowSharedPasswordNodes"] = "false", ["Scheduling:ReservationTimeout"] = "00:00:01",
        });
        using var admin = await impatient.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var type = SchedulingClient.UniqueType();
        var container = await RegisterEnrolledAsync(admin, tenant, type, maxAgents: 10);
        await SetQuotaAsync(admin, tenant, maxContainers: null, maxAgents: 5);
        // Another replica holds the tenant's lease and does not let go in time (it died holding it: no release).
        var lease = RedisKeys.TenantQuotaLease(TenantQuotaGate.Agents, tenant);
        await fixture.Connection.GetDatabase().StringSetAsync(lease, "a-dead-replica", TimeSpan.FromMinutes(1));

        var response = await admin.DeployAsync(new { agent_type = type, constraints = new { orchestrator_id = tenant } });
        var problem = await response.AssertProblemAsync(429);
        Assert.Equal(ProblemTypes.TooManyRequests.Title, problem.Title);
        Assert.Equal("max_agents", problem.Extension("field"));
        Assert.Equal(tenant, problem.Extension("tenant"));
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(0, await admin.AssignedAsync(container));

        // Once the lease is gone (expired, here deleted), the same deploy is placed.
        await fixture.Connection.GetDatabase().KeyDeleteAsync(lease);
        await admin.DeployOkAsync(new { agent_type = type, constraints = new { orchestrator_id = tenant } });
        Assert.Equal(1, await admin.AssignedAsync(container));
    }

    [Fact]
    public async Task TenantsListTheirUsageAndQuotas()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var type = SchedulingClient.UniqueType();
        await RegisterEnrolledAsync(admin, tenant, type, maxAgents: 10);
        await admin.DeployOkAsync(new { agent_type = type, replicas = 4 });
        var view = await SetQuotaAsync(admin, tenant, maxContainers: 3, maxAgents: 9);
        Assert.Equal(new TenantView(tenant, 1, 4, 3, 9), view);
        var listed = await admin.GetAsync(ManagerRoutes.Tenants, ProtocolJsonContext.Default.TenantListResponse);
        Assert.Contains(new TenantView(tenant, 1, 4, 3, 9), listed.Tenants);
    }

    [Theory]
    [InlineData("""{"max_containers":-1}""", "max_containers")]
    [InlineData("""{"max_agents":-5}""", "max_agents")]
    public async Task ANegativeQuotaIsRefusedNamingTheFieldAndNothingChanges(string body, string field)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        await SetQuotaAsync(admin, tenant, maxContainers: 7, maxAgents: 7);
        var problem = await (await PutAsync(admin, tenant, body)).AssertProblemAsync(400);
        Assert.True(problem.Names(field), problem.Named());
        Assert.Equal(new TenantView(tenant, 0, 0, 7, 7), await TenantAsync(admin, tenant));
    }

    [Fact]
    public async Task AQuotaBelowCurrentUsageIsAConflictNamingTheField()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var type = SchedulingClient.UniqueType();
        await RegisterEnrolledAsync(admin, tenant, type, maxAgents: 10);
        await admin.DeployOkAsync(new { agent_type = type, replicas = 3 });
        var problem = await (await PutAsync(admin, tenant, """{"max_agents":2}""")).AssertProblemAsync(409);
        Assert.Equal(ProblemTypes.QuotaBelowUsage.Title, problem.Title);
        Assert.Equal("max_agents", problem.Extension("field"));
        problem = await (await PutAsync(admin, tenant, """{"max_containers":0}""")).AssertProblemAsync(409);
        Assert.Equal("max_containers", problem.Extension("field"));
        Assert.Null((await TenantAsync(admin, tenant)).MaxAgents);
    }

    [Fact]
    public async Task AMalformedOrUnknownTenantIsRefusedNamingIt()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var problem = await (await PutAsync(admin, "bad%20id", """{"max_agents":1}""")).AssertProblemAsync(400);
        Assert.True(problem.Names("tenant_id"), problem.Named());
        Assert.Equal(ProblemTypes.UnknownTenant.Title,
            (await (await admin.GetAsync(ManagerRoutes.WithId(ManagerRoutes.Tenant, TenantClients.UniqueTenant()))).AssertProblemAsync(404)).Title);
    }

    // A container of the tenant, registered through the admin (shared-password nodes are off here).
    private static async Task<string> RegisterEnrolledAsync(HttpClient admin, string tenant, string type, int maxAgents) =>
        await admin.RegisterAsync(type, tenant, maxAgents: maxAgents);

    private static async Task<TenantView> SetQuotaAsync(HttpClient admin, string tenant, int? maxContainers, int? maxAgents) =>
        await (await admin.PutAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.Tenant, tenant), new { max_containers = maxContainers, max_agents = maxAgents }))
            .ReadAsync(ProtocolJsonContext.Default.TenantView);

    private static Task<HttpResponseMessage> PutAsync(HttpClient admin, string tenant, string body) =>
        admin.PutAsync(ManagerRoutes.Tenants + "/" + tenant, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

    private static Task<TenantView> TenantAsync(HttpClient admin, string tenant) =>
        admin.GetAsync(ManagerRoutes.WithId(ManagerRoutes.Tenant, tenant), ProtocolJsonContext.Default.TenantView);
}
