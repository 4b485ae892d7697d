namespace Orchestrator.Testing.Cluster;

// A node whose local API says which agents run on it: what a sampler asks, on loopback or across namespaces.
public interface IAgentHost
{
    string Name { get; }

    bool IsRunning { get; }

    Task<IReadOnlySet<string>> RunningAgentIdsAsync(CancellationToken cancellationToken = default);
}
