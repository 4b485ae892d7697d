using System.Net.Http.Headers;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Bench.Simulation;

// One simulated orchestrator: its identity, token, current heartbeat body and running agents.
public sealed class SimCluster(int index, string runId, int maxAgents, int seed)
{
    private readonly Lock _agentsLock = new();
    private readonly Dictionary<string, ReportedAgent> _agents = new();

    public int Index { get; } = index;
    public string Name { get; } = $"bench-{runId}-{index}-cluster";
    public int MaxAgents { get; } = maxAgents;
    // Where in each heartbeat interval this cluster beats (0..1): its jittered start, kept for life.
    public double Phase { get; } = Jitter(seed, index);
    public string? ContainerId { get; set; }
    public string HeartbeatPath { get; private set; } = "";
    public AuthenticationHeaderValue? Authorization { get; set; }
    public byte[] HeartbeatBody { get; private set; } = [];
    public long AppliedGeneration { get; set; } = -1;

    // Stopwatch timestamp of the last heartbeat the manager answered 200; 0 before the first.
    public long LastHeartbeatOk;
    // Set while a failed heartbeat is being retried, so the regular schedule does not pile on.
    public int Retrying;

    public RegisterContainerRequest Registration() => new(Name, "127.0.0.1", 8001 + Index % 50000,
        ["agent_runner", "orchestrator_cluster"], new ContainerResources(2, 2L << 30).ToJson(),
        new ContainerMetadata(Index.ToString(), null, null).ToJson(), MaxAgents, NodeVersion, NodeProtocol.Current);

    // Sent on register and every heartbeat, as Orchestrator.Agent does (issue 27): the manager's own build, so
    // never outdated and no upgrade advice is looked up.
    private static readonly string NodeVersion = NodeProtocol.VersionOf(typeof(SimCluster).Assembly);

    public IReadOnlyList<ReportedAgent> Agents()
    {
        lock (_agentsLock) return [.. _agents.Values];
    }

    // The agent's heartbeat, serialized once per change rather than per beat: the simulator shares
    // the machine's two cores with the manager, so its own work is kept small.
    public void RebuildHeartbeat()
    {
        var agents = Agents();
        var body = new HeartbeatRequest(ContainerId!, 87.5,
            new HeartbeatResources(2, 12.5, 123_456_789, 2L << 30, 3 + agents.Count).ToJson(), agents.Count, agents.ToJson(),
            NodeVersion: NodeVersion, ProtocolVersion: NodeProtocol.Current);
        HeartbeatBody = JsonSerializer.SerializeToUtf8Bytes(body, ProtocolJsonContext.Default.HeartbeatRequest);
        HeartbeatPath = ManagerRoutes.WithId(ManagerRoutes.Heartbeat, ContainerId!);
    }

    // Desired minus running starts (here: runs at once); running minus desired stops.
    public IReadOnlyList<ReportedAgent> Reconcile(IReadOnlyList<Assignment> desired)
    {
        lock (_agentsLock)
        {
            var wanted = desired.ToDictionary(a => a.AgentId);
            foreach (var gone in _agents.Keys.Where(id => !wanted.ContainsKey(id)).ToList()) _agents.Remove(gone);
            foreach (var assignment in desired)
                _agents[assignment.AgentId] = new ReportedAgent(assignment.AgentId, AgentStates.Running, assignment.Epoch, 0, null, null);
            return [.. _agents.Values];
        }
    }

    public void Stop(string agentId)
    {
        lock (_agentsLock) _agents.Remove(agentId);
    }

    // SplitMix64 of (seed, index): uniform, reproducible, and uncorrelated between neighbours
    // (System.Random's first value for consecutive seeds is not).
    private static double Jitter(int seed, int index)
    {
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
    }
}
