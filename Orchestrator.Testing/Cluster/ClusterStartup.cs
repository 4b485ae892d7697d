using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Testing.Cluster;

// How both test clusters (ProcessCluster on loopback, NetworkCluster in network namespaces) come up and wait:
// storage first, then the managers, then the nodes (a bounded number at a time), then until the cluster is
// ready; a failure anywhere disposes all that was started. A wait that times out carries the cluster's own
// description (its processes' last lines), so a failed test says what each process was doing.
public static class ClusterStartup
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<TCluster> StartAsync<TCluster>(TCluster cluster, Func<Task> storage, Func<Task> managers,
        IEnumerable<Func<Task>> nodes, int nodesAtOnce, Func<Task>? untilReady = null) where TCluster : IAsyncDisposable
    {
        try
        {
            await storage();
            await managers();
            using var starting = new SemaphoreSlim(nodesAtOnce);
            await Task.WhenAll(nodes.Select(async start =>
            {
                await starting.WaitAsync();
                try { await start(); }
                finally { starting.Release(); }
            }));
            if (untilReady is not null) await untilReady();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    // Every one of `nodes` registered and healthy, as the manager lists them.
    public static async Task<bool> AllHealthyAsync(ManagerClient api, int nodes) =>
        (await api.ListAllContainersAsync()).Count(c => c.Status == ContainerStatus.Healthy) == nodes;

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<Task<string>> describe)
    {
        try
        {
            await Deadline.UntilAsync(condition, timeout, what, PollInterval);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + await describe(), ex);
        }
    }

    public static async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, Func<Task<string>> describe)
    {
        try
        {
            return await Deadline.PollAsync(probe, timeout, what, PollInterval);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + await describe(), ex);
        }
    }
}
