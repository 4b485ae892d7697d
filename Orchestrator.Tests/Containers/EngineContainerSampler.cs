using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Testing.Containers;

namespace Orchestrator.Tests.Containers;

// "No container agent runs on two nodes at any sampled moment", seen from the engine itself rather than from the
// nodes' own reports: every ~100 ms lists the running containers of the given nodes (by the node label the driver
// puts on them) and records each agent id running under more than one node in the same round. Nodes sharing one
// podman service are told apart by that label.
public sealed class EngineContainerSampler : IAsyncDisposable
{
    private const string NodeLabel = "orchestrator.node";
    private const string AgentLabel = "orchestrator.agent_id";
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _engine;
    private readonly IReadOnlySet<string> _nodes;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _duplicates = new();
    private readonly ConcurrentDictionary<(string Node, string AgentId), DateTime> _firstSeen = new();
    private readonly ConcurrentDictionary<(string Node, string AgentId), DateTime> _lastSeen = new();
    private readonly Task _loop;

    private EngineContainerSampler(PodmanService podman, IEnumerable<string> nodes)
    {
        _engine = podman.CreateClient(TimeSpan.FromSeconds(5));
        _nodes = nodes.ToHashSet();
        _loop = Task.Run(LoopAsync);
    }

    public static EngineContainerSampler Start(PodmanService podman, IEnumerable<string> nodeNames) => new(podman, nodeNames);

    public int Rounds { get; private set; }

    public DateTime? FirstSeenRunning(string node, string agentId) => _firstSeen.TryGetValue((node, agentId), out var at) ? at : null;

    public DateTime? LastSeenRunning(string node, string agentId) => _lastSeen.TryGetValue((node, agentId), out var at) ? at : null;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public void AssertNoDuplicates()
    {
        Assert.True(Rounds > 0, "the engine sampler never completed a round");
        Assert.True(_duplicates.IsEmpty, $"container agents ran under two nodes at once ({Rounds} rounds):\n" + string.Join('\n', _duplicates.Take(20)));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
        _engine.Dispose();
    }

    private async Task LoopAsync()
    {
        var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [AgentLabel] }));
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // Running containers only (no all=true): a stopped or exited container runs nothing.
                var listed = await _engine.GetFromJsonAsync<JsonElement>($"containers/json?filters={filter}", _stop.Token);
                var now = DateTime.UtcNow;
                var running = listed.EnumerateArray()
                    .Select(c => c.GetProperty("Labels"))
                    .Select(l => (Node: l.GetProperty(NodeLabel).GetString()!, AgentId: l.GetProperty(AgentLabel).GetString()!))
                    .Where(c => _nodes.Contains(c.Node))
                    .ToList();
                foreach (var seen in running)
                {
                    _firstSeen.TryAdd(seen, now);
                    _lastSeen[seen] = now;
                }
                foreach (var twice in running.GroupBy(c => c.AgentId).Where(g => g.Select(c => c.Node).Distinct().Count() > 1))
                    _duplicates.Enqueue($"{now:HH:mm:ss.fff} {twice.Key} on {string.Join(", ", twice.Select(c => c.Node))}");
                Rounds++;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
            {
                if (_stop.IsCancellationRequested) return;
            }
            try
            {
                await Task.Delay(Period, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
