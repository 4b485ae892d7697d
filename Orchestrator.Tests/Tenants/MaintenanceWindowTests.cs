using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Tenants;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Tenants;

// Maintenance windows (issue 27): PUT/GET /api/v1/tenants/{id}/maintenance, the "open now?" query rollouts and
// drains ask (MaintenanceWindows, on the manager's TimeProvider), and upgrade advice only inside the window.
[Trait(TestLevel.Name, TestLevel.Api)]
public class MaintenanceWindowTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    // A daily window (UTC) that holds the manager's "now", or one that opened an hour after it and is closed now.
    private object Daily(bool openNow)
    {
        var now = Manager.Time.GetUtcNow().UtcDateTime;
        var start = openNow ? now.AddMinutes(-30) : now.AddHours(1);
        return new
        {
            time_zone = "UTC",
            windows = new[]
            {
                new { days = MaintenanceDays.All, start = start.ToString("HH:mm", CultureInfo.InvariantCulture), duration_minutes = 120 },
            },
        };
    }

    [Fact]
    public async Task AnOperatorSetsItsTenantsWindowsGetAnswersThemAndTheWindowServiceSaysWhetherOneIsOpenNow()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        using var operatorA = await Manager.CreateScopedClientAsync(admin, "operator", tenant);
        var path = ManagerRoutes.WithId(ManagerRoutes.TenantMaintenance, tenant);
        var windows = Manager.Services.GetRequiredService<MaintenanceWindows>();

        var unset = await operatorA.GetAsync(path, ProtocolJsonContext.Default.MaintenanceView);
        Assert.Equal((true, 0, null), (unset.OpenNow, unset.Windows.Count, unset.UpdatedAt));

        var closed = await (await operatorA.PutAsJsonAsync(path, Daily(openNow: false))).ReadAsync(ProtocolJsonContext.Default.MaintenanceView);
        Assert.False(closed.OpenNow);
        Assert.False(await windows.IsOpenAsync(tenant));
        var read = await operatorA.GetAsync(path, ProtocolJsonContext.Default.MaintenanceView);
        Assert.Equal(("UTC", 120, 7), (read.TimeZone, read.Windows[0].DurationMinutes, read.Windows[0].Days!.Count));

        var open = await (await operatorA.PutAsJsonAsync(path, Daily(openNow: true))).ReadAsync(ProtocolJsonContext.Default.MaintenanceView);
        Assert.True(open.OpenNow);
        Assert.True(await windows.IsOpenAsync(tenant));

        var audit = await admin.GetAsync($"{ManagerRoutes.Audit}?tenant={tenant}&action={AuditActions.MaintenanceChange}", ProtocolJsonContext.Default.AuditPage);
        Assert.Equal(2, audit.Entries.Count(e => e.Outcome == "success"));
    }

    [Theory]
    [InlineData("""{"time_zone":"Mars/Olympus_Mons","windows":[]}""", "time_zone")]
    [InlineData("""{"windows":[]}""", "time_zone")]
    [InlineData("""{"time_zone":"../../../etc/passwd","windows":[]}""", "time_zone")]
    [InlineData("""{"time_zone":"Europe/London\u0000","windows":[]}""", "time_zone")]
    [InlineData("""{"time_zone":"UTC"}""", "windows")]
    [InlineData("""{"time_zone":"UTC","windows":[{"days":["funday"],"start":"02:00","duration_minutes":60}]}""", "windows[0].days")]
    [InlineData("""{"time_zone":"UTC","windows":[{"days":["sat"],"start":"25:00","duration_minutes":60}]}""", "windows[0].start")]
    [InlineData("""{"time_zone":"UTC","windows":[{"days":["sat"],"start":"02:00","duration_minutes":0}]}""", "windows[0].duration_minutes")]
    public async Task BadWindowsAreABadRequestNamingTheFieldAndChangeNothing(string body, string field)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var path = ManagerRoutes.WithId(ManagerRoutes.TenantMaintenance, tenant);
        (await admin.PutAsJsonAsync(path, Daily(openNow: false))).EnsureSuccessStatusCode();

        var response = await admin.PutAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.Names(field), problem.Named());
        Assert.False((await admin.GetAsync(path, ProtocolJsonContext.Default.MaintenanceView)).OpenNow);
    }

    [Fact]
    public async Task AnOutdatedNodeIsAdvisedToUpgradeOnlyWhileItsTenantsWindowIsOpen()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var path = ManagerRoutes.WithId(ManagerRoutes.TenantMaintenance, tenant);
        var policy = (await admin.GetAsync(ManagerRoutes.Versions, ProtocolJsonContext.Default.ClusterVersionsResponse)).Policy;
        var outdated = await (await admin.PostAsJsonAsync(ManagerRoutes.Register,
            NodeVersionTests.Payload(Registrations.UniqueName(), tenant, "0.0.1", NodeProtocol.Current))).ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse);
        var current = await (await admin.PostAsJsonAsync(ManagerRoutes.Register,
            NodeVersionTests.Payload(Registrations.UniqueName(), tenant, policy.RecommendedNodeVersion, NodeProtocol.Current))).ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse);

        async Task<string?> AdviceAsync(string id, string version) => (await (await admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.Heartbeat, id), new
        {
            container_id = id, health_score = 90, active_agents = 0, node_version = version, protocol_version = NodeProtocol.Current,
        })).ReadAsync(ProtocolJsonContext.Default.HeartbeatResponse)).RecommendedNodeVersion;

        (await admin.PutAsJsonAsync(path, Daily(openNow: false))).EnsureSuccessStatusCode();
        Assert.Null(await AdviceAsync(outdated.ContainerId, "0.0.1"));

        (await admin.PutAsJsonAsync(path, Daily(openNow: true))).EnsureSuccessStatusCode();
        Assert.Equal(policy.RecommendedNodeVersion, await AdviceAsync(outdated.ContainerId, "0.0.1"));
        Assert.Null(await AdviceAsync(current.ContainerId, policy.RecommendedNodeVersion));
    }
}
