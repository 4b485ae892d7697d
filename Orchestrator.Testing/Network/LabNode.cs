using System.Globalization;
using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Testing.Cluster;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Network;

// A node (the built Orchestrator.Agent) in its customer's namespace, with the seed's environment as a customer
// would set it: CENTRAL_MANAGER_URL by name (resolved by the customer's own hosts file), EXTERNAL_IP its own
// address, the seed's port 8001, its own hostname and DATA_DIR (kept across restarts). The test reads its
// local API from inside the customer's namespace, where its operator sits.
public sealed class LabNode : IAgentHost, IAsyncDisposable
{
    private readonly NetworkCluster _cluster;
    private readonly LabService _service;

    public LabNode(CustomerSite customer, NetworkCluster cluster)
    {
        Customer = customer;
        _cluster = cluster;
        Http = customer.Namespace.CreateHttpClient();
        _service = new LabService(Name, customer.Namespace, Spec,
            process => process.WaitForHttpAsync(Url + "/health", cluster.Options.StartupDeadline, Http));
    }

    public CustomerSite Customer { get; }

    public int Index => Customer.Number;

    public string Name => $"orchestrator-{Index}";

    public string ContainerName => $"orchestrator-{Index}-cluster";

    // The local API, as seen inside the customer's network.
    public string Url => $"http://{Customer.Address}:{NetworkLab.NodePort}";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("orchestrator-netns-data-").FullName;

    public HttpClient Http { get; }

    public bool IsRunning => _service.IsRunning;

    public string Log => _service.Log;

    public Task StartAsync() => _service.StartAsync();

    public void Kill() => _service.Kill();

    public async Task<IReadOnlyList<NodeAgent>> AgentsAsync(CancellationToken cancellationToken = default) =>
        (await Http.GetFromJsonAsync(Url + NodeRoutes.Agents, ProtocolJsonContext.Default.NodeAgentList, cancellationToken))!.Agents;

    public async Task<IReadOnlySet<string>> RunningAgentIdsAsync(CancellationToken cancellationToken = default) =>
        (await AgentsAsync(cancellationToken)).Where(a => a.State == AgentStates.Running).Select(a => a.AgentId).ToHashSet();

    public async Task<NodeAgent?> AgentAsync(string agentId) => (await AgentsAsync()).FirstOrDefault(a => a.AgentId == agentId);

    // The node's own /health body (its manager-connection check says whether it reaches the manager).
    public Task<string> HealthAsync() => Http.GetStringAsync(Url + "/health");

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        Http.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }

    private ProcessSpec Spec()
    {
        var options = _cluster.Options;
        var environment = SeedVariables.Compose(NetworkLab.ManagerUrlByName.ToString().TrimEnd('/'), NetworkLab.NodePort, DataDirectory);
        environment["AGENT_ID"] = $"orchestrator-{Index}-agent";
        environment["CONTAINER_NAME"] = ContainerName;
        environment["EXTERNAL_IP"] = Customer.Address.ToString();
        environment["ASPNETCORE_URLS"] = Url;
        environment.Remove("ADMIN_PASSWORD");
        environment["ENROLLMENT_TOKEN"] = NetworkCluster.BootstrapToken;
        // Plain http to a manager that is not on loopback: the lab has no TLS (the WAN relay carries the bytes).
        environment["ALLOW_INSECURE_TRANSPORT"] = "true";
        environment["HEARTBEAT_INTERVAL"] = options.HeartbeatSeconds.ToString(CultureInfo.InvariantCulture);
        environment["AGENT_CONFIG"] =
            $$"""{"capabilities":["agent_runner","orchestrator_cluster"],"max_agents":{{options.MaxAgentsPerNode}},"orchestrator_id":{{Index}}}""";
        environment["Manager__RetryBaseDelay"] = "00:00:00.2";
        environment["Manager__RetryMaxDelay"] = "00:00:01";
        environment["Manager__RequestTimeout"] = "00:00:03";
        environment["Manager__LongPollWait"] = "00:00:05";
        foreach (var (key, value) in options.NodeEnvironment) environment[key] = value;
        // Its own hostname too (a UTS namespace of its own), as a machine at the customer's would have.
        return new ProcessSpec("unshare", ["--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", Customer.HostName, "dotnet", options.NodeDll])
        {
            WorkingDirectory = Path.GetDirectoryName(options.NodeDll),
            Environment = environment,
        };
    }
}
