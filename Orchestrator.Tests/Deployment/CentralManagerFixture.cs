using System.Security.Cryptography;

namespace Orchestrator.Tests.Deployment;

// The vendor side as docker-compose.central.yml runs it, minus Docker: a real redis-server with a
// password, and the built manager as a process given exactly the compose file's environment (evaluated
// with generated secrets; only the Redis host changes, from the compose network's name to loopback).
public sealed class CentralManagerFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(60);

    private readonly RedisHost _redis;
    private ChildProcess? _manager;

    public CentralManagerFixture() => _redis = new RedisHost(new RedisHostOptions { Password = RedisPassword });

    public string AdminPassword { get; } = RandomNumberGenerator.GetHexString(24, lowercase: true);

    public string RedisPassword { get; } = RandomNumberGenerator.GetHexString(32, lowercase: true);

    public int Port { get; } = FreePort.Next();

    public string Url => $"http://127.0.0.1:{Port}";

    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public string Log => _manager?.Log ?? "";

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();

        var environment = DeploymentFiles.ManagerEnvironment(new Dictionary<string, string>
        {
            ["REDIS_PASSWORD"] = RedisPassword,
            ["JWT_SECRET"] = RandomNumberGenerator.GetHexString(64),
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["MASTER_SECRET_KEY"] = RandomNumberGenerator.GetHexString(64),
        }).ToDictionary();
        environment["REDIS_URL"] = environment["REDIS_URL"].Replace("@redis:6379", $"@127.0.0.1:{_redis.Port}", StringComparison.Ordinal);
        Environment = environment;

        // What the image adds: its port (here a free one, on loopback).
        _manager = await ChildProcess.StartServiceAsync(
            ProcessSpec.Project("Orchestrator.Manager").WithEnvironment(environment) with { Url = new Uri(Url) }, StartupDeadline);
    }

    // A Redis outage as the manager sees it: the process is killed at once.
    public void StopRedis() => _redis.Stop();

    public async Task DisposeAsync()
    {
        if (_manager is not null) await _manager.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
