using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Tenants;

namespace Orchestrator.Tests.Manager;

// Node versions and skew (issue 27): registration accepts protocol N and N-1 and refuses others with 426 naming
// the accepted versions; GET /api/v1/cluster/versions counts the caller's containers by version.
[Trait(TestLevel.Name, TestLevel.Api)]
public class NodeVersionTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    public static object Payload(string name, string tenant, string? nodeVersion, int? protocolVersion) => new
    {
        container_name = name,
        host_address = "127.0.0.1",
        api_port = 8001,
        capabilities = new[] { "agent_runner", "orchestrator_cluster" },
        resources = new { cpu_count = 2, memory_limit = 2147483648 },
        metadata = new { orchestrator_id = tenant },
        node_version = nodeVersion,
        protocol_version = protocolVersion,
    };

    [Fact]
    public async Task ANodeTwoProtocolsBehindIsRefusedWith426NamingTheAcceptedVersionsAndOneBehindIsRegistered()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var old = Registrations.UniqueName();

        var refused = await (await admin.PostAsJsonAsync(ManagerRoutes.Register, Payload(old, tenant, "0.0.1", NodeProtocol.Current - 2)))
            .AssertProblemAsync(426);
        Assert.Equal(ProblemTypes.ProtocolNotAccepted.Title, refused.Title);
        Assert.Equal("protocol_version", refused.Extension("field"));
        var accepted = refused.Extension("accepted_protocol_versions");
        Assert.Equal($"[{NodeProtocol.Current},{NodeProtocol.Current - 1}]", accepted);
        Assert.Contains($"versions {NodeProtocol.Current} and {NodeProtocol.Current - 1}", refused.Detail);
        Assert.DoesNotContain((await admin.ListContainersAsync()).Containers, c => c.ContainerName == old);

        var previous = await (await admin.PostAsJsonAsync(ManagerRoutes.Register, Payload(Registrations.UniqueName(), tenant, "0.0.1", NodeProtocol.Current - 1)))
            .ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse);
        var shown = await admin.GetContainerAsync(previous.ContainerId);
        Assert.Equal(("0.0.1", NodeProtocol.Current - 1), (shown.NodeVersion, shown.ProtocolVersion));

        // The seed's clients send no version at all: accepted, and shown without one.
        var seed = await admin.RegisterIdAsync(Registrations.UniqueName());
        Assert.Equal((null, null), ((await admin.GetContainerAsync(seed)).NodeVersion, (await admin.GetContainerAsync(seed)).ProtocolVersion));
    }

    [Fact]
    public async Task ANodeUpgradedInPlaceShowsItsNewVersionAtItsNextHeartbeatAndABeatWithoutOneKeepsTheStoredVersion()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var id = (await (await admin.PostAsJsonAsync(ManagerRoutes.Register, Payload(Registrations.UniqueName(), tenant, "0.0.1", NodeProtocol.Current - 1)))
            .ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse)).ContainerId;
        async Task BeatAsync(string? version, int? protocol) => (await admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.Heartbeat, id), new
        {
            container_id = id, health_score = 90, active_agents = 0, node_version = version, protocol_version = protocol,
        })).EnsureSuccessStatusCode();

        // Same credential, new binary: no re-registration, only its next beat.
        await BeatAsync("0.0.2", NodeProtocol.Current);
        var upgraded = await admin.GetContainerAsync(id);
        Assert.Equal(("0.0.2", NodeProtocol.Current), (upgraded.NodeVersion, upgraded.ProtocolVersion));
        using var viewer = await Manager.CreateScopedClientAsync(admin, "viewer", tenant);
        var counted = await viewer.GetAsync(ManagerRoutes.Versions, ProtocolJsonContext.Default.ClusterVersionsResponse);
        Assert.Equal([new NodeVersionCount("0.0.2", NodeProtocol.Current, 1, true)], counted.Versions);

        await BeatAsync(null, null);
        var kept = await admin.GetContainerAsync(id);
        Assert.Equal(("0.0.2", NodeProtocol.Current), (kept.NodeVersion, kept.ProtocolVersion));
    }

    [Fact]
    public async Task VersionsAreCountedPerTenantForAScopedCallerAndOlderBuildsAreOutdated()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var policy = (await admin.GetAsync(ManagerRoutes.Versions, ProtocolJsonContext.Default.ClusterVersionsResponse)).Policy;
        Assert.Equal(NodeProtocol.Current, policy.ProtocolVersion);
        Assert.Equal([NodeProtocol.Current, NodeProtocol.Current - 1], policy.AcceptedProtocolVersions);
        var (mine, other) = (TenantClients.UniqueTenant(), TenantClients.UniqueTenant());
        foreach (var (tenant, version, protocol) in new[]
                 {
                     (mine, "0.0.1", NodeProtocol.Current - 1), (mine, "0.0.1", NodeProtocol.Current - 1),
                     (mine, policy.RecommendedNodeVersion, NodeProtocol.Current), (other, "0.0.2", NodeProtocol.Current),
                 })
            (await admin.PostAsJsonAsync(ManagerRoutes.Register, Payload(Registrations.UniqueName(), tenant, version, protocol))).EnsureSuccessStatusCode();

        using var viewer = await Manager.CreateScopedClientAsync(admin, "viewer", mine);
        var seen = await viewer.GetAsync(ManagerRoutes.Versions, ProtocolJsonContext.Default.ClusterVersionsResponse);
        Assert.Equal((3, 2), (seen.TotalContainers, seen.OutdatedContainers));
        Assert.Equal(
            [new NodeVersionCount("0.0.1", NodeProtocol.Current - 1, 2, true), new NodeVersionCount(policy.RecommendedNodeVersion, NodeProtocol.Current, 1, false)],
            seen.Versions);

        var all = await admin.GetAsync(ManagerRoutes.Versions, ProtocolJsonContext.Default.ClusterVersionsResponse);
        Assert.Contains(all.Versions, v => v.NodeVersion == "0.0.2");
        Assert.True(all.TotalContainers >= 4);
    }

    [Fact]
    public async Task ABadNodeVersionOrProtocolVersionIsABadRequestNamingTheField()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var spaced = await (await admin.PostAsJsonAsync(ManagerRoutes.Register, Payload(Registrations.UniqueName(), "1", "1.0 beta", NodeProtocol.Current)))
            .AssertProblemAsync(400);
        Assert.True(spaced.Names("node_version"), spaced.Named());
        var zero = await (await admin.PostAsJsonAsync(ManagerRoutes.Register, Payload(Registrations.UniqueName(), "1", "1.0.0", 0))).AssertProblemAsync(400);
        Assert.True(zero.Names("protocol_version"), zero.Named());
    }
}
