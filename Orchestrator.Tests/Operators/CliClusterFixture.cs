namespace Orchestrator.Tests.Operators;

// redis-server, one manager and three orchestrators as real processes, for the CLI tests; the nodes run /bin/sh as
// `process` agents, so a rollout of real processes (DeploymentCliTests: 10 replicas over 3 nodes, the size) shares this
// fixture instead of adding one.
public sealed class CliClusterFixture : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ProcessCluster.StartAsync(new()
    {
        Managers = 1, Orchestrators = 3, OrchestratorEnvironment = new() { ["ALLOWED_COMMANDS"] = "/bin/sh" },
    });

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
