namespace Orchestrator.Tests.Operators;

// redis-server, one manager and one orchestrator as real processes, for the CLI (and event stream) tests.
public sealed class CliClusterFixture : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ProcessCluster.StartAsync(new() { Managers = 1, Orchestrators = 1 });

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
