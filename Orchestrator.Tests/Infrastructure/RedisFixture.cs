namespace Orchestrator.Tests.Infrastructure;

// One redis-server shared by every test of a class: an xunit class fixture over RedisHost.
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisHost Redis { get; } = new();

    public Task InitializeAsync() => Redis.StartAsync();

    public Task DisposeAsync() => Redis.DisposeAsync().AsTask();
}
