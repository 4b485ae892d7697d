using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Abuse;

// One redis-server and one in-process manager with the settings a test class needs (tight limits, trusted proxies).
public abstract class AbuseManagerFixture : IAsyncLifetime
{
    public RedisHost Redis { get; } = new();
    public ManagerFactory Manager { get; private set; } = null!;

    protected virtual Dictionary<string, string?> Settings => [];

    public virtual async Task InitializeAsync()
    {
        await Redis.StartAsync();
        Manager = new ManagerFactory(Redis, Settings);
        _ = Manager.Server;
    }

    public virtual async Task DisposeAsync()
    {
        try
        {
            if (Manager is not null) await Manager.DisposeAsync();
        }
        finally
        {
            await Redis.DisposeAsync();
        }
    }
}
