namespace Orchestrator.Manager.Migrations;

// Runs RedisLayout's migration before the manager serves anything (StartingAsync comes before every
// hosted service's StartAsync, the web server's included), so no request ever reads a half-old layout.
// While Redis is unreachable it waits and retries: serving would fail without Redis anyway.
public sealed class RedisLayoutMigration(RedisLayout layout, ILogger<RedisLayoutMigration> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await layout.MigrateAsync();
                return;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException)
            {
                if (attempt == 1) logger.LogWarning("Cannot check the Redis key layout yet ({Reason}); retrying until Redis answers", ex.Message);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
