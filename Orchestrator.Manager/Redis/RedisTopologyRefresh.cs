using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// After a Redis Cluster master dies, the client reconfigures at once, often before the cluster has promoted
// the replica (cluster-node-timeout plus an election). It then keeps the promoted node marked as a replica and
// refuses every write for its slots ("Command cannot be issued to a replica") until something makes it look
// again, which could be a minute. So after an interactive connection fails, the topology is read again a few
// times while the promotion completes. On the wall clock: the failover runs in Redis, not on the manager's
// TimeProvider (which tests replace with a clock that stands still).
public sealed class RedisTopologyRefresh(IConnectionMultiplexer redis, ILogger<RedisTopologyRefresh> logger) : BackgroundService
{
    private static readonly TimeSpan[] After = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];

    private int _refreshing;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive && !stoppingToken.IsCancellationRequested) _ = RefreshAsync(stoppingToken);
        };
        return Task.CompletedTask;
    }

    // One round at a time, however many connections failed together.
    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1) return;
        try
        {
            var waited = TimeSpan.Zero;
            foreach (var at in After)
            {
                await Task.Delay(at - waited, TimeProvider.System, stoppingToken);
                waited = at;
                try
                {
                    await redis.ConfigureAsync();
                }
                catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
                {
                    logger.LogWarning("Reading the Redis topology again after a failed connection did not complete: {Error}", ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
