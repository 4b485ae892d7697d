using System.Diagnostics;
using Orchestrator.Bench.Hosting;
using Orchestrator.Bench.Options;
using Orchestrator.Bench.Protocol;

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

    public Task<RedisServer> StartRedisAsync() => RedisServer.StartAsync(WorkDirectory);

    public IReadOnlyDictionary<string, string> ManagerEnvironment(RedisServer redis, TimeSpan heartbeatInterval)
    {
        var environment = new Dictionary<string, string>
        {
            ["REDIS_URL"] = redis.Url,
            ["JWT_SECRET"] = JwtSecret,
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["HEARTBEAT_INTERVAL"] = ((int)Math.Ceiling(heartbeatInterval.TotalSeconds)).ToString(),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        };
        foreach (var (key, value) in Settings.ManagerEnvironment) environment[key] = value;
        return environment;
    }

    public Task<ServiceProcess> StartManagerAsync(RedisServer redis, TimeSpan heartbeatInterval, int? port = null) =>
        ServiceProcess.StartAsync("manager", Path.GetFullPath(Settings.ManagerDll), port ?? FreePort.Next(),
            ManagerEnvironment(redis, heartbeatInterval), WorkDirectory, TimeSpan.FromSeconds(60));

    public Task<ServiceProcess> StartCeilingAsync() =>
        ServiceProcess.StartAsync("ceiling", Path.GetFullPath(Settings.CeilingDll), FreePort.Next(),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, WorkDirectory, TimeSpan.FromSeconds(60));

    public BenchHttp Http(Uri baseAddress, int longPollConnections = 16) =>
        new(baseAddress, Settings.Connections, longPollConnections);

    public ProtocolClient Client(BenchHttp http) => new(http, AdminPassword, Settings.CallTimeout);
}
