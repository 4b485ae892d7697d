using System.Globalization;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Bench.Hosting;

// The Redis a heartbeat or fleet run measures: one redis-server, or a Redis Cluster of N masters (no replicas)
// started the way the tests start one. Memory, CPU and command statistics are summed over the masters.
public sealed class BenchRedis : IAsyncDisposable
{
    private readonly RedisHost? _single;
    private readonly RedisClusterHost? _cluster;

    private BenchRedis(RedisHost? single, RedisClusterHost? cluster) => (_single, _cluster) = (single, cluster);

    public static async Task<BenchRedis> StartAsync(int clusterMasters, string workDirectory)
    {
        if (clusterMasters == 0)
            return new(await RedisHost.StartAsync(new RedisHostOptions { ParentDirectory = workDirectory, MaxClients = 10000, LogToFile = true }), null);
        return new(null, await RedisClusterHost.StartAsync(new() { Masters = clusterMasters, AppendOnly = true, ParentDirectory = workDirectory }));
    }

    // "one redis-server" or "3-master Redis Cluster", for the report.
    public string Label => _cluster is null ? "one redis-server" : $"{_cluster.Nodes.Count}-master Redis Cluster";

    // REDIS_URL for the manager: a redis:// URL, or every node's address (StackExchange form).
    public string Url => _single?.Url ?? _cluster!.ConnectionString;

    public IReadOnlyList<RedisHost> Nodes => _single is not null ? [_single] : _cluster!.Nodes;

    public IReadOnlyList<int> Pids => Nodes.Select(n => n.Pid).ToList();

    public Task ResetStatsAsync() => Task.WhenAll(Nodes.Select(n => n.CliAsync("CONFIG", "RESETSTAT")));

    // One INFO field summed over the nodes (e.g. used_memory).
    public async Task<long> SumAsync(string section, string field)
    {
        long sum = 0;
        foreach (var node in Nodes)
            if ((await node.InfoAsync(section)).TryGetValue(field, out var value)) sum += long.Parse(value, CultureInfo.InvariantCulture);
        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        if (_single is not null) await _single.DisposeAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
