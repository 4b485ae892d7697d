namespace Orchestrator.Tests.Infrastructure;

// One Redis engine shared by every test of a class, so one suite runs on both engines the manager supports:
// a test class takes TEngine as a parameter and has one concrete subclass per engine.
public abstract class RedisEngineFixture : IAsyncLifetime
{
    public abstract string ConnectionString { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();
}

// One redis-server.
public sealed class SingleRedisFixture : RedisEngineFixture
{
    public RedisHost Redis { get; } = new();

    public override string ConnectionString => Redis.ConnectionString;

    public override Task InitializeAsync() => Redis.StartAsync();

    public override Task DisposeAsync() => Redis.DisposeAsync().AsTask();
}

// A Redis Cluster of three masters (no replicas), as `redis-cli --cluster create` makes it.
public sealed class RedisClusterFixture : RedisEngineFixture
{
    private RedisClusterHost? _cluster;

    public RedisClusterHost Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public override string ConnectionString => Cluster.ConnectionString;

    public override async Task InitializeAsync() => _cluster = await RedisClusterHost.StartAsync(new() { Masters = 3 });

    public override async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
