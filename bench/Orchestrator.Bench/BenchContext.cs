using System.Diagnostics;
using Orchestrator.Bench.Protocol;
using Orchestrator.Testing;
using Orchestrator.Testing.Hosting;
using Orchestrator.Bench.Hosting;
using Orchestrator.Bench.Options;

namespace Orchestrator.Bench;

// What every scenario shares: settings, a scratch directory, and how to start the real processes
// it measures (redis-server, the Release manager, the ceiling) with the manager's public settings.
public sealed class BenchContext(BenchSettings settings, string workDirectory)
{
    public const string AdminPassword = "bench-admin-password";
    public const string JwtSecret = "bench-jwt-secret-0123456789-abcdefghijklmnop";

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public BenchSettings Settings { get; } = settings;
    public string WorkDirectory { get; } = workDirectory;
    public string RunId { get; } = DateTime.UtcNow.ToString("HHmmss");

    public void Log(string message) => Console.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");

    // As production runs it (append-only), with room for a whole simulated fleet's connections.
    public Task<RedisHost> StartRedisAsync() =>
        RedisHost.StartAsync(new RedisHostOptions { ParentDirectory = WorkDirectory, MaxClients = 10000, LogToFile = true });

    // One redis-server (clusterMasters 0) or a Redis Cluster, for the scenarios that compare the two (--redis-cluster).
    public Task<BenchRedis> StartRedisEngineAsync(int clusterMasters) => BenchRedis.StartAsync(clusterMasters, WorkDirectory);

    public IReadOnlyDictionary<string, string> ManagerEnvironment(RedisHost redis, TimeSpan heartbeatInterval) =>
        ManagerEnvironment(redis.Url, heartbeatInterval);

    public IReadOnlyDictionary<string, string> ManagerEnvironment(string redisUrl, TimeSpan heartbeatInterval)
    {
        var environment = new Dictionary<string, string>
        {
            ["REDIS_URL"] = redisUrl,
            ["JWT_SECRET"] = JwtSecret,
            ["MASTER_SECRET_KEY"] = "a-test-master-secret-key-of-at-least-32-characters",
            ["ADMIN_PASSWORD"] = AdminPassword,
            // The simulator logs in as the seed's clients do (the shared password), which the manager accepts only with this on.
            ["ALLOW_SHARED_PASSWORD_NODES"] = "true",
            ["HEARTBEAT_INTERVAL"] = ((int)Math.Ceiling(heartbeatInterval.TotalSeconds)).ToString(),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        };
        foreach (var (key, value) in Settings.ManagerEnvironment) environment[key] = value;
        return environment;
    }

    public Task<ChildProcess> StartManagerAsync(RedisHost redis, TimeSpan heartbeatInterval, int? port = null) =>
        StartServiceAsync("manager", Settings.ManagerDll, port, ManagerEnvironment(redis, heartbeatInterval));

    public Task<ChildProcess> StartManagerAsync(BenchRedis redis, TimeSpan heartbeatInterval) =>
        StartServiceAsync("manager", Settings.ManagerDll, null, ManagerEnvironment(redis.Url, heartbeatInterval));

    public Task<ChildProcess> StartCeilingAsync() =>
        StartServiceAsync("ceiling", Settings.CeilingDll, null, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" });

    // A measured service on its own port, its output in the work directory, stopped with SIGTERM (SIGKILL after 10 s).
    private Task<ChildProcess> StartServiceAsync(string name, string dll, int? port, IReadOnlyDictionary<string, string> environment)
    {
        dll = Path.GetFullPath(dll);
        if (!File.Exists(dll)) throw new FileNotFoundException($"{name}: {dll} is not built (run bench/run.sh, which builds it)", dll);
        var url = new Uri($"http://127.0.0.1:{port ?? FreePort.Next()}");
        return ChildProcess.StartServiceAsync(ProcessSpec.Dotnet(dll) with
        {
            Name = name,
            Url = url,
            Environment = environment,
            InheritEnvironment = true,
            LogFile = Path.Combine(WorkDirectory, $"{name}-{url.Port}-{DateTime.UtcNow:HHmmss}.log"),
            StopGrace = TimeSpan.FromSeconds(10),
        }, TimeSpan.FromSeconds(60));
    }

    public BenchHttp Http(Uri baseAddress, int longPollConnections = 16) =>
        new(baseAddress, Settings.Connections, longPollConnections);

    public ProtocolClient Client(BenchHttp http) => new(http, AdminPassword, Settings.CallTimeout);
}
