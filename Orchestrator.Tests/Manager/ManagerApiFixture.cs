using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

// One redis-server and one manager per test class; tests use unique container names.
public class ManagerApiFixture : IAsyncLifetime
{
    public RedisHost Redis { get; } = new();
    public ManagerFactory Manager { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.StartAsync();
        Manager = new ManagerFactory(Redis);
        _ = Manager.Server; // start now, not inside the first test
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Manager is not null) await Manager.DisposeAsync();
        }
        finally
        {
            // Even when stopping the manager throws, no redis-server outlives the test run.
            await Redis.DisposeAsync();
        }
    }
}
