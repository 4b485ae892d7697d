using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Tests.Operators;

// Two manager replicas sharing one redis-server and one orchestrator, as real processes; a heartbeat
// comment every second and at most two streams per token, so those limits show within a test's time.
public sealed class EventStreamFixture : IAsyncLifetime
{
    public const int MaxStreamsPerToken = 2;

    public ProcessCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ProcessCluster.StartAsync(new()
    {
        Managers = 2,
        Orchestrators = 1,
        ManagerEnvironment =
        {
            ["Events__HeartbeatInterval"] = "00:00:01",
            ["Events__MaxStreamsPerToken"] = MaxStreamsPerToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    });

    // An admin client of one replica directly (not the front door), with no timeout of its own: streams are long.
    public ManagerClient ClientOf(ManagerNode manager) =>
        new(new HttpClient { BaseAddress = new Uri(manager.Url + "/"), Timeout = Timeout.InfiniteTimeSpan },
            ManagerCredentials.Admin(ProcessCluster.AdminPassword));

    // A scoped operator of these tenants, created by the admin, logged in with its api_key.
    public async Task<ManagerClient> OperatorClientAsync(ManagerNode manager, params string[] tenants)
    {
        var name = "ops-" + Guid.NewGuid().ToString("N")[..10];
        var created = await ClientOf(manager).CreateOperatorAsync(new CreateOperatorRequest(name, tenants, OperatorRoles.Operator));
        return new(new HttpClient { BaseAddress = new Uri(manager.Url + "/"), Timeout = Timeout.InfiniteTimeSpan },
            ManagerCredentials.From(() => new TokenRequest(created.Name, created.ApiKey)));
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
