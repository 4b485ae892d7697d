namespace Orchestrator.Tests.Tracing;

// A ProcessCluster (one manager, two orchestrators) exporting its traces over OTLP/HTTP to the real Aspire
// dashboard, whose telemetry API the tests read: what an operator sees in the local cluster's dashboard.
public sealed class TracedClusterFixture : IAsyncLifetime
{
    public AspireDashboard Dashboard { get; private set; } = null!;

    public ProcessCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Dashboard = await AspireDashboard.StartAsync();
        Cluster = await ProcessCluster.StartAsync(new()
        {
            Managers = 1,
            Orchestrators = 2,
            ManagerEnvironment = Dashboard.ExporterEnvironment("manager"),
            OrchestratorEnvironment = Dashboard.ExporterEnvironment("orchestrator"),
        });
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Dashboard is not null) await Dashboard.DisposeAsync();
    }
}
