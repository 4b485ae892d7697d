using System.Globalization;

namespace Orchestrator.Testing.Hosting;

// A real Redis Cluster of its own: N masters and optionally R replicas per master, each a RedisHost with
// --cluster-enabled, joined by `redis-cli --cluster create` and ready once every node reports
// cluster_state:ok. Each node's cluster bus listens on its port + 10000, so both are picked free.
//
//   await using var cluster = await RedisClusterHost.StartAsync(new() { Masters = 3 });
//   builder.UseSetting("ConnectionStrings:redis", cluster.ConnectionString);
public sealed class RedisClusterHost : IAsyncDisposable
{
    private const int BusPortOffset = 10000;

    private readonly RedisClusterOptions _options;

    private RedisClusterHost(RedisClusterOptions options)
    {
        _options = options;
        var node = new RedisHostOptions
        {
            ClusterNode = true, AppendOnly = options.AppendOnly, Password = options.Password,
            ParentDirectory = options.ParentDirectory, StartupDeadline = options.StartupDeadline,
            ClusterNodeTimeout = options.NodeTimeout,
        };
        Nodes = Enumerable.Range(0, options.Masters * (1 + options.ReplicasPerMaster))
            .Select(_ => new RedisHost(node with { Port = FreePort.NextWithPeer(BusPortOffset) })).ToList();
    }

    // Every node in creation order: the first Masters are the masters `--cluster create` assigns slots to,
    // the rest start as their replicas (which replica follows which master is redis-cli's choice).
    public IReadOnlyList<RedisHost> Nodes { get; }

    public IReadOnlyList<RedisHost> Running => Nodes.Where(n => n.IsRunning).ToList();

    // StackExchange.Redis form listing every node: the client discovers the topology from any of them.
    public string ConnectionString => string.Join(",", Nodes.Select(n => $"127.0.0.1:{n.Port}"))
        + (_options.Password is null ? "" : $",password={_options.Password}");

    public static async Task<RedisClusterHost> StartAsync(RedisClusterOptions? options = null)
    {
        var cluster = new RedisClusterHost(Validate(options ?? new RedisClusterOptions()));
        try
        {
            await cluster.CreateAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task CreateAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.StartAsync()));
        var output = await Nodes[0].CliAsync(["--cluster", "create", .. Nodes.Select(n => $"127.0.0.1:{n.Port}"),
            "--cluster-replicas", _options.ReplicasPerMaster.ToString(CultureInfo.InvariantCulture), "--cluster-yes"]);
        if (!output.Contains("All 16384 slots covered", StringComparison.Ordinal))
            throw new InvalidOperationException("redis-cli --cluster create failed:\n" + output);
        await WaitUntilOkAsync(_options.StartupDeadline);
    }

    // Until every running node says cluster_state:ok and knows as many masters as were created (after a
    // failover: once a replica took the dead master's slots).
    public Task WaitUntilOkAsync(TimeSpan timeout) => Deadline.UntilAsync(async () =>
    {
        foreach (var node in Running)
        {
            var info = await ClusterInfoAsync(node);
            if (info.GetValueOrDefault("cluster_state") != "ok" || info.GetValueOrDefault("cluster_size") != Masters().ToString(CultureInfo.InvariantCulture))
                return false;
        }
        return true;
    }, timeout, $"every node of the Redis Cluster to report cluster_state:ok with {_options.Masters} masters");

    private int Masters() => _options.Masters;

    // CLUSTER INFO of one node as key -> value.
    public static async Task<Dictionary<string, string>> ClusterInfoAsync(RedisHost node) =>
        (await node.CliAsync("CLUSTER", "INFO"))
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains(':'))
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    // The nodes that are masters right now (by their own ROLE), e.g. to kill one or to read its stats.
    public async Task<IReadOnlyList<RedisHost>> CurrentMastersAsync()
    {
        var masters = new List<RedisHost>();
        foreach (var node in Running)
        {
            if ((await node.CliAsync("ROLE")).StartsWith("master", StringComparison.Ordinal)) masters.Add(node);
        }
        return masters;
    }

    // The node serving a key's slot right now (CLUSTER KEYSLOT, then CLUSTER SLOTS on a running node).
    public async Task<RedisHost> MasterOfAsync(string key)
    {
        var any = Running[0];
        var slot = int.Parse((await any.CliAsync("CLUSTER", "KEYSLOT", key)).Trim(), CultureInfo.InvariantCulture);
        // CLUSTER SHARDS would be tidier, but redis-cli prints CLUSTER SLOTS flat: start, end, then per node ip, port, id.
        var lines = (await any.CliAsync("CLUSTER", "SLOTS")).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 3 < lines.Length; i++)
        {
            if (int.TryParse(lines[i], CultureInfo.InvariantCulture, out var start) && int.TryParse(lines[i + 1], CultureInfo.InvariantCulture, out var end)
                && lines[i + 2] == "127.0.0.1" && int.TryParse(lines[i + 3], CultureInfo.InvariantCulture, out var port) && slot >= start && slot <= end)
                return Nodes.Single(n => n.Port == port);
        }
        throw new InvalidOperationException($"no node serves slot {slot}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }

    private static RedisClusterOptions Validate(RedisClusterOptions options) =>
        options.Masters >= 3 && options.ReplicasPerMaster >= 0 ? options
            : throw new ArgumentException("A Redis Cluster needs at least 3 masters (redis-cli --cluster create refuses fewer) and 0 or more replicas per master");
}

public sealed record RedisClusterOptions
{
    public int Masters { get; init; } = 3;

    public int ReplicasPerMaster { get; init; }

    // Off by default: a test's cluster is thrown away; the failover test turns it on to lose nothing acknowledged.
    public bool AppendOnly { get; init; }

    public string? Password { get; init; }

    public string? ParentDirectory { get; init; }

    public TimeSpan StartupDeadline { get; init; } = TimeSpan.FromSeconds(30);

    // cluster-node-timeout; null keeps Redis' 15 s. A failover starts about this long after a master dies.
    public TimeSpan? NodeTimeout { get; init; }
}
