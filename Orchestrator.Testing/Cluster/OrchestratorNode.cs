using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Cluster;

// An orchestrator cluster node (the built Orchestrator.Agent dll), seed environment, own DATA_DIR kept
// across restarts. It reaches the managers through its own Link, which Cut() takes down while it lives.
public sealed class OrchestratorNode : ClusterNode, IAgentHost
{
    private readonly ProcessCluster _cluster;

    public OrchestratorNode(int index, ProcessCluster cluster) : base($"orchestrator-{index}", cluster.Options.NodeDll, FreePort.Next())
    {
        Index = index;
        _cluster = cluster;
        if (!cluster.Options.DirectToManagers)
        {
            Link = new TcpRelay(cluster.LiveManagerPorts);
            Link.Start();
        }
    }

    public int Index { get; }

    public string ContainerName => $"orchestrator-{Index}-cluster";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("orchestrator-cluster-data-").FullName;

    // This node's network path to the managers (all replicas, first live one answers); null with DirectToManagers.
    public TcpRelay? Link { get; }

    // The partition: the node and the managers stay up, but the node cannot reach any of them.
    public void CutOffFromManager() => RequireLink().Cut();

    public void ReconnectToManager() => RequireLink().Restore();

    // GET /api/v1/agents on the node's local API.
    public async Task<IReadOnlyList<NodeAgent>> AgentsAsync(CancellationToken cancellationToken = default) =>
        (await _cluster.Http.GetFromJsonAsync(Url + NodeRoutes.Agents, ProtocolJsonContext.Default.NodeAgentList, cancellationToken))!.Agents;

    // Agents whose workload runs: running, or blocked_by_lock (still running while its stop waits for its update lock).
    public async Task<IReadOnlySet<string>> RunningAgentIdsAsync(CancellationToken cancellationToken = default) =>
        (await AgentsAsync(cancellationToken)).Where(a => a.State is AgentStates.Running or AgentStates.BlockedByLock).Select(a => a.AgentId).ToHashSet();

    public async Task<NodeAgent?> AgentAsync(string agentId) => (await AgentsAsync()).FirstOrDefault(a => a.AgentId == agentId);

    protected override Dictionary<string, string> Environment()
    {
        var options = _cluster.Options;
        var environment = SeedVariables.Compose(Link?.Url ?? _cluster.Managers[0].Url, Port, DataDirectory);
        environment["AGENT_ID"] = $"orchestrator-{Index}-agent";
        environment["CONTAINER_NAME"] = ContainerName;
        // Enrolled with the bootstrap token; the credential it saves under DataDirectory serves its restarts.
        environment.Remove("ADMIN_PASSWORD");
        environment["ENROLLMENT_TOKEN"] = ProcessCluster.BootstrapToken;
        environment["HEARTBEAT_INTERVAL"] = options.HeartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["AGENT_CONFIG"] =
            $$"""{"capabilities":[{{string.Join(",", options.NodeCapabilities.Select(c => $"\"{c}\""))}}],"max_agents":{{options.MaxAgentsPerOrchestrator}},"orchestrator_id":{{Index}}}""";
        // Reconnect quickly once the manager is back; hold the long-poll briefly so answers count as contact.
        environment["Manager__RetryBaseDelay"] = "00:00:00.2";
        environment["Manager__RetryMaxDelay"] = "00:00:01";
        environment["Manager__RequestTimeout"] = "00:00:03";
        environment["Manager__LongPollWait"] = "00:00:05";
        foreach (var (key, value) in options.OrchestratorEnvironment) environment[key] = value;
        foreach (var (key, value) in options.OrchestratorEnvironmentOf.GetValueOrDefault(Index) ?? []) environment[key] = value;
        return environment;
    }

    private TcpRelay RequireLink() => Link ?? throw new InvalidOperationException("this cluster was started with DirectToManagers");

    protected override async ValueTask DisposeResourcesAsync()
    {
        if (Link is not null) await Link.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
