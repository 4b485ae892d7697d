using System.Collections.Concurrent;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Wakes held long-polls when a container's desired state changes on any replica. One pattern
// subscription per process; the waiters are open requests, not state: Redis holds the truth.
public sealed class AssignmentNotifier(IConnectionMultiplexer redis, ILogger<AssignmentNotifier> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    // Take the signal before reading the generation, so a change in between is never missed.
    public Task NextChange(string containerId) =>
        _waiters.GetOrAdd(containerId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(RedisKeys.AnyContainerChanged, (channel, _) => Signal(channel.ToString()));
                return; // StackExchange.Redis resubscribes by itself after a reconnect.
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                logger.LogWarning("Cannot subscribe to assignment changes yet ({Reason}); long-polls fall back to polling", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private void Signal(string channel)
    {
        if (RedisKeys.ContainerIdFromChannel(channel) is { } id && _waiters.TryRemove(id, out var waiter)) waiter.TrySetResult();
    }
}
