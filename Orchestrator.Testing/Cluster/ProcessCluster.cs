using System.Text;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Cluster;

// A whole system as real processes on free loopback ports: one append-only redis-server (or a Redis Cluster
// of RedisClusterMasters masters), N manager
// replicas sharing it (behind one FrontDoor address, first live replica answers) and M orchestrators,
// each reaching the managers through its own TcpRelay link. Any part can be killed (SIGKILL),
// restarted, or (orchestrators) cut off. Logs() gathers every process's output for failure messages.
//
//   await using var cluster = await ProcessCluster.StartAsync(new() { Orchestrators = 3 });
//   var deployed = await cluster.Api.DeployAsync(DeployRequests.Trading(replicas: 2, onClusterLoss: "reschedule"));
//   cluster.Orchestrators[0].Kill();
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string AdminPassword = "process-cluster-admin-password";
    public const string JwtSecret = "process-cluster-jwt-secret-of-at-least-32-chars";
    // Orchestrators enroll the production way, with a bootstrap enrollment token the managers store at start.
    public const string BootstrapToken = "process-cluster-bootstrap-enrollment-token";
    public static readonly string BootstrapOrchestratorIds = string.Join(",", Enumerable.Range(1, 32));
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(60);

    private ProcessCluster(ProcessClusterOptions options)
    {
        Options = options;
        Redis = new RedisHost(options.Redis);
        Managers = Enumerable.Range(1, options.Managers).Select(i => new ManagerNode(i, this)).ToList();
        FrontDoor = new TcpRelay(LiveManagerPorts);
        FrontDoor.Start();
        Orchestrators = Enumerable.Range(1, options.Orchestrators).Select(i => new OrchestratorNode(i, this)).ToList();
        ManagerHttp = new HttpClient { BaseAddress = new Uri((options.DirectToManagers ? Managers[0].Url : FrontDoor.Url) + "/"), Timeout = Http.Timeout };
        Api = new ManagerClient(ManagerHttp, ManagerCredentials.Admin(AdminPassword));
    }

    public ProcessClusterOptions Options { get; }

    // The single redis-server; not started when the cluster runs on a Redis Cluster (RedisCluster).
    public RedisHost Redis { get; }

    // The Redis Cluster when Options.RedisClusterMasters > 0, else null.
    public RedisClusterHost? RedisCluster { get; private set; }

    // What the managers get as REDIS_URL: a redis:// URL, or the cluster's list of every node.
    public string RedisUrl => RedisCluster?.ConnectionString ?? Redis.Url;

    public IReadOnlyList<ManagerNode> Managers { get; }

    public IReadOnlyList<OrchestratorNode> Orchestrators { get; }

    // The one address of all manager replicas, as a load balancer would give it.
    public TcpRelay FrontDoor { get; }

    // Admin client of the manager API through the front door (logs in again after a 401).
    public ManagerClient Api { get; }

    // The manager's base URL as Api uses it (no trailing slash), for raw calls a test makes itself.
    public string ManagerUrl => ManagerHttp.BaseAddress!.ToString().TrimEnd('/');

    private HttpClient ManagerHttp { get; }

    // Longer than the manager's Redis health check takes to give up (5 s), so a 503 arrives as an answer.
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(15) };

    public static async Task<ProcessCluster> StartAsync(ProcessClusterOptions? options = null)
    {
        var cluster = new ProcessCluster(options ?? new ProcessClusterOptions());
        return await ClusterStartup.StartAsync(cluster,
            storage: async () =>
            {
                if (cluster.Options.RedisClusterMasters > 0)
                    cluster.RedisCluster = await RedisClusterHost.StartAsync(new() { Masters = cluster.Options.RedisClusterMasters });
                else await cluster.Redis.StartAsync();
            },
            managers: async () => { foreach (var manager in cluster.Managers) await manager.StartAsync(); },
            nodes: cluster.Orchestrators.Select(o => (Func<Task>)(() => o.StartAsync())), nodesAtOnce: Math.Max(1, cluster.Orchestrators.Count),
            untilReady: () => cluster.WaitAsync(() => ClusterStartup.AllHealthyAsync(cluster.Api, cluster.Orchestrators.Count),
                StartupDeadline, "every orchestrator to register and be healthy"));
    }

    public IReadOnlyList<int> LiveManagerPorts() => Managers.Where(m => m.IsRunning).Select(m => m.Port).ToList();

    public OrchestratorNode Orchestrator(string containerName) => Orchestrators.Single(o => o.ContainerName == containerName);

    // The manager's record of an orchestrator's container.
    public async Task<ContainerView> ContainerAsync(OrchestratorNode node) =>
        (await Api.ListAllContainersAsync()).Single(c => c.ContainerName == node.ContainerName);

    // Deadline.UntilAsync, with every process's log attached when it times out.
    public Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        ClusterStartup.UntilAsync(condition, timeout, what, () => Task.FromResult(Logs()));

    public Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) =>
        ClusterStartup.PollAsync(probe, timeout, what, () => Task.FromResult(Logs()));

    public string Logs(int linesPerProcess = 60)
    {
        var text = new StringBuilder();
        foreach (var node in Managers.Cast<ClusterNode>().Concat(Orchestrators))
        {
            var lines = node.Log.Split('\n');
            text.AppendLine($"===== {node.Name} ({(node.IsRunning ? "running" : "stopped")}) =====");
            text.AppendJoin('\n', lines.Skip(Math.Max(0, lines.Length - linesPerProcess))).AppendLine();
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var orchestrator in Orchestrators) await orchestrator.DisposeAsync();
        foreach (var manager in Managers) await manager.DisposeAsync();
        await FrontDoor.DisposeAsync();
        await Redis.DisposeAsync();
        if (RedisCluster is not null) await RedisCluster.DisposeAsync();
        Http.Dispose();
        ManagerHttp.Dispose();
    }
}
