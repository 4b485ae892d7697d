using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Testing.Cluster;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Network;

// The whole system across a NetworkLab: redis-server and the manager in the vendor's namespace, one node per
// customer namespace, each node reaching the manager by name through its customer's WAN relay and the router.
// The test host talks to the manager from inside the vendor's namespace (Api, VendorHttp) and to each node
// from inside its customer's (LabNode.Http), so it sees what each side would see.
//
//   await using var cluster = await NetworkCluster.StartAsync(new() { Customers = 2 });
//   await cluster.Lab.CutAsync(cluster.Nodes[0].Customer);
//   Assert.Equal(0, (await cluster.Lab.CountersAsync()).VendorToCustomerAttempts);
public sealed class NetworkCluster : IAsyncDisposable
{
    public const string AdminPassword = "network-lab-admin-password";
    public const string JwtSecret = "network-lab-jwt-secret-of-at-least-32-characters";
    public const string BootstrapToken = "network-lab-bootstrap-enrollment-token";
    public const int RedisPort = 6379;

    private readonly string _redisDirectory = Directory.CreateTempSubdirectory("orchestrator-netns-redis-").FullName;

    private NetworkCluster(NetworkLab lab, NetworkClusterOptions options)
    {
        Lab = lab;
        Options = options;
        VendorHttp = lab.Vendor.CreateHttpClient();
        ManagerHttp = lab.Vendor.CreateHttpClient();
        ManagerHttp.BaseAddress = NetworkLab.ManagerUrlByAddress;
        Api = new ManagerClient(ManagerHttp, ManagerCredentials.Admin(AdminPassword));
        Redis = new LabService("redis-server", lab.Vendor, RedisSpec, process => Deadline.UntilAsync(async () =>
        {
            process.ThrowIfExited();
            return await PingRedisAsync();
        }, options.StartupDeadline, "redis-server in the vendor namespace to answer PING"));
        Manager = new LabService("manager", lab.Vendor, ManagerSpec,
            process => process.WaitForHttpAsync(NetworkLab.ManagerUrlByAddress + "health", options.StartupDeadline, VendorHttp));
        Nodes = lab.Customers.Select(c => new LabNode(c, this)).ToList();
    }

    public NetworkLab Lab { get; }

    public NetworkClusterOptions Options { get; }

    public LabService Redis { get; }

    public LabService Manager { get; }

    public IReadOnlyList<LabNode> Nodes { get; }

    // HTTP from inside the vendor's namespace (addresses only).
    public HttpClient VendorHttp { get; }

    // Admin client of the manager API, from inside the vendor's namespace.
    public ManagerClient Api { get; }

    private HttpClient ManagerHttp { get; }

    public static async Task<NetworkCluster> StartAsync(NetworkClusterOptions? options = null)
    {
        options ??= new NetworkClusterOptions();
        var lab = await NetworkLab.CreateAsync(options.Customers, options.Wan);
        var cluster = new NetworkCluster(lab, options);
        // A few nodes at a time: fifty .NET processes starting at once on two cores thrash (each one's start-up
        // starves the others) and none answers its /health in time; in small groups each gets the CPU.
        return await ClusterStartup.StartAsync(cluster,
            storage: cluster.Redis.StartAsync,
            managers: () => options.StartManager ? cluster.Manager.StartAsync() : Task.CompletedTask,
            nodes: cluster.Nodes.Select(n => (Func<Task>)n.StartAsync), nodesAtOnce: 4,
            untilReady: options.StartManager ? () => cluster.WaitAllHealthyAsync(options.StartupDeadline) : null);
    }

    public async Task WaitAllHealthyAsync(TimeSpan timeout) =>
        await WaitAsync(() => ClusterStartup.AllHealthyAsync(Api, Nodes.Count),
            timeout, $"all {Nodes.Count} nodes to register and be healthy");

    public LabNode Node(string containerName) => Nodes.Single(n => n.ContainerName == containerName);

    public async Task<ContainerView> ContainerAsync(LabNode node) =>
        (await Api.ListAllContainersAsync()).Single(c => c.ContainerName == node.ContainerName);

    public Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        ClusterStartup.UntilAsync(condition, timeout, what, () => DescribeAsync());

    public Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) =>
        ClusterStartup.PollAsync(probe, timeout, what, () => DescribeAsync());

    // The counters and the last lines of every process's output, for assertion messages.
    public async Task<string> DescribeAsync(int linesPerProcess = 40)
    {
        var text = new StringBuilder();
        try { text.AppendLine((await Lab.CountersAsync()).ToString()); }
        catch (InvalidOperationException ex) { text.AppendLine("counters unreadable: " + ex.Message); }
        foreach (var customer in Lab.Customers)
            text.AppendLine($"{customer}: WAN {customer.Wan.Profile}, {customer.Wan.Connections} connections, {customer.Wan.Resets} reset{(customer.IsCut ? ", link cut" : "")}");
        foreach (var (name, running, log) in new[] { (Manager.Name, Manager.IsRunning, Manager.Log) }
                     .Concat(Nodes.Select(n => (n.Name, n.IsRunning, n.Log))).Take(12))
        {
            var lines = log.Split('\n');
            text.AppendLine($"===== {name} ({(running ? "running" : "stopped")}) =====");
            text.AppendJoin('\n', lines.Skip(Math.Max(0, lines.Length - linesPerProcess))).AppendLine();
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
        await Manager.DisposeAsync();
        await Redis.DisposeAsync();
        await Lab.DisposeAsync();
        VendorHttp.Dispose();
        ManagerHttp.Dispose();
        try { Directory.Delete(_redisDirectory, recursive: true); } catch (IOException) { }
    }

    private ProcessSpec RedisSpec() => new("redis-server",
    [
        "--port", RedisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _redisDirectory,
        "--save", "", "--appendonly", "yes", "--protected-mode", "no",
    ]);

    private ProcessSpec ManagerSpec()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://0.0.0.0:{NetworkLab.ManagerPort}",
            ["REDIS_URL"] = $"redis://127.0.0.1:{RedisPort}",
            ["JWT_SECRET"] = JwtSecret,
            ["MASTER_SECRET_KEY"] = "a-test-master-secret-key-of-at-least-32-characters",
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["BOOTSTRAP_ENROLLMENT_TOKEN"] = BootstrapToken,
            ["BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS"] = string.Join(",", Enumerable.Range(1, Options.Customers)),
            ["HEARTBEAT_INTERVAL"] = Options.HeartbeatSeconds.ToString(CultureInfo.InvariantCulture),
            ["Manager__LivenessCheckPeriod"] = Options.LivenessCheckPeriod.ToString("c"),
            ["Manager__LoginFailureLimit"] = "1000",
            ["Scheduling__AgentLease"] = Options.AgentLease.ToString("c"),
            ["Scheduling__RescheduleAfter"] = Options.RescheduleAfter.ToString("c"),
        };
        foreach (var (key, value) in Options.ManagerEnvironment) environment[key] = value;
        return ProcessSpec.Dotnet(Options.ManagerDll) with { Environment = environment };
    }

    private async Task<bool> PingRedisAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var socket = await Lab.Vendor.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, RedisPort), timeout.Token);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
            var buffer = new byte[16];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }
}
