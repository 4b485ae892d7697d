namespace Orchestrator.AppHost.Extensions;

// A local Redis Cluster as one resource the manager references like any Redis: `--Redis:Cluster=3` runs three
// redis-server nodes (their own resources, fixed loopback ports so each node's cluster bus at port + 10000 is
// known) and this resource, a shell that joins them once with `redis-cli --cluster create` (skipped when
// their nodes.conf already hold a cluster) and then stays up, healthy while the cluster says cluster_state:ok.
// Its connection string lists every node: the client discovers the slots from any of them.
public sealed class RedisClusterResource(string name, string workingDirectory, IReadOnlyList<int> ports)
    : ExecutableResource(name, "sh", workingDirectory), IResourceWithConnectionString
{
    public IReadOnlyList<int> Ports { get; } = ports;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{string.Join(",", Ports.Select(p => $"127.0.0.1:{p}"))}");

    // The shell script: create the cluster unless it exists, then wait for ever (the resource stays "running").
    public string Script()
    {
        var nodes = string.Join(" ", Ports.Select(p => $"127.0.0.1:{p}"));
        return $"redis-cli -p {Ports[0]} CLUSTER INFO | grep -q 'cluster_known_nodes:{Ports.Count}' "
            + $"|| redis-cli --cluster create {nodes} --cluster-replicas 0 --cluster-yes; exec tail -f /dev/null";
    }
}
