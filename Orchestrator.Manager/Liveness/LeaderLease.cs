using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Liveness;

// A lease in Redis (SET NX PX, renewed by its holder) so only one replica runs the liveness monitor.
// If the holder dies, the lease expires and another replica takes over within one TTL.
public sealed class LeaderLease(IConnectionMultiplexer redis, string? owner = null)
{
    // KEYS: lease. ARGV: owner, ttl ms. 1 when the caller holds the lease afterwards.
    private const string AcquireScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    public string Owner { get; } = owner ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public async Task<bool> TryAcquireAsync(TimeSpan ttl) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(AcquireScript,
            [RedisKeys.LivenessLease], [Owner, (long)ttl.TotalMilliseconds]) == 1;

    public async Task ReleaseAsync() =>
        await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [RedisKeys.LivenessLease], [Owner]);
}
