using Orchestrator.Validation;
using Orchestrator.Validation.Phases;

namespace Orchestrator.Tests.Validation;

// One ProcessCluster per test class: redis-server, the manager and two orchestrators as real processes
// from their built dlls, each orchestrator with its own port, CONTAINER_NAME, orchestrator_id and DATA_DIR.
public class ValidationClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(60);

    public ProcessCluster Cluster { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    public ManagerNode Manager => Cluster.Managers[0];

    // The manager's own address (not the harness's front door), so a killed manager really does not answer.
    public ValidationSettings Settings => new(
        new Uri(Manager.Url),
        Cluster.Orchestrators.Select(o => new OrchestratorTarget(o.Index, new Uri(o.Url), o.DataDirectory)).ToList(),
        ProcessCluster.AdminPassword,
        PhaseTimeout);

    public PhaseContext Context(IManagerOutage? outage = null, TimeSpan? timeout = null) =>
        new(Settings with { Timeout = timeout ?? PhaseTimeout }, Http, TimeProvider.System, outage);

    // 0: one redis-server; N: a Redis Cluster of N masters.
    protected virtual int RedisClusterMasters => 0;

    public async Task InitializeAsync() =>
        Cluster = await ProcessCluster.StartAsync(new() { Managers = 1, Orchestrators = 2, RedisClusterMasters = RedisClusterMasters });

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        Http.Dispose();
    }
}

// The same cluster with the manager on a Redis Cluster of three masters.
public sealed class RedisClusterValidationFixture : ValidationClusterFixture
{
    protected override int RedisClusterMasters => 3;
}
