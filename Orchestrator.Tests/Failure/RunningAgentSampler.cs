using System.Collections.Concurrent;


namespace Orchestrator.Tests.Failure;

// "No agent id runs on two orchestrators at any sampled moment": every ~100 ms, asks every live
// orchestrator's local API (on loopback, or from inside each customer's namespace in the network tier) which agents are running and records each agent id seen running on more
// than one node in the same round. Unreachable nodes (killed, starting) count as running nothing.
public sealed class RunningAgentSampler : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly IReadOnlyList<IAgentHost> _nodes;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _duplicates = new();
    private readonly ConcurrentDictionary<(string Node, string AgentId), DateTime> _firstSeen = new();
    private readonly Task _loop;

    private RunningAgentSampler(IReadOnlyList<IAgentHost> nodes)
    {
        _nodes = nodes;
        _loop = Task.Run(LoopAsync);
    }

    public static RunningAgentSampler Start(ProcessCluster cluster) => new(cluster.Orchestrators);

    public static RunningAgentSampler Start(IReadOnlyList<IAgentHost> nodes) => new(nodes);

    public int Rounds { get; private set; }

    public IReadOnlyCollection<string> Duplicates => _duplicates;

    // Ids running on each node in the latest round (node name -> ids).
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Latest { get; private set; } = new Dictionary<string, IReadOnlySet<string>>();

    // When each agent id was first seen running on each node (UTC), since start or the last ForgetHistory().
    public DateTime? FirstSeenRunning(string node, string agentId) =>
        _firstSeen.TryGetValue((node, agentId), out var at) ? at : null;

    public void ForgetHistory() => _firstSeen.Clear();

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public void AssertNoDuplicates()
    {
        Assert.True(Rounds > 0, "the sampler never completed a round");
        Assert.True(_duplicates.IsEmpty, $"agents ran on two orchestrators at once ({Rounds} rounds):\n" + string.Join('\n', _duplicates.Take(20)));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var round = await Task.WhenAll(_nodes.Select(SampleAsync));
            var latest = round.ToDictionary(r => r.Node, r => r.Running);
            var now = DateTime.UtcNow;
            foreach (var (node, running) in round)
                foreach (var id in running) _firstSeen.TryAdd((node, id), now);
            foreach (var twice in round.SelectMany(r => r.Running.Select(id => (id, r.Node))).GroupBy(x => x.id).Where(g => g.Count() > 1))
                _duplicates.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {twice.Key} running on {string.Join(", ", twice.Select(x => x.Node))}");
            Latest = latest;
            Rounds++;
            try { await Task.Delay(Period, _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    private static async Task<(string Node, IReadOnlySet<string> Running)> SampleAsync(IAgentHost node)
    {
        if (!node.IsRunning) return (node.Name, new HashSet<string>());
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            return (node.Name, await node.RunningAgentIdsAsync(timeout.Token));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return (node.Name, new HashSet<string>());
        }
    }
}
