using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// A lease in Redis (SET NX PX, renewed by its holder) so only one replica runs the liveness monitor, or (with
// another key) one deploy at a time checks a tenant's quota (TenantQuotaGate).
// If the holder dies, the lease expires and another replica takes over within one TTL.
public sealed class LeaderLease(IConnectionMultiplexer redis, string? owner = null, RedisKey? key = null)
{
    // 1 when the caller holds the lease afterwards.
    internal sealed record LeaseArgs(RedisKey Lease, string Owner, long TtlMs);

    private static readonly LuaScript AcquireScript = LuaScript.Prepare("""
        if redis.call('GET', @Lease) == @Owner then
          redis.call('PEXPIRE', @Lease, @TtlMs)
          return 1
        end
        if redis.call('SET', @Lease, @Owner, 'NX', 'PX', @TtlMs) then return 1 end
        return 0
        """);

    private static readonly LuaScript ReleaseScript = LuaScript.Prepare("""
        if redis.call('GET', @Lease) == @Owner then return redis.call('DEL', @Lease) end
        return 0
        """);

    public string Owner { get; } = owner ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    private RedisKey Key { get; } = key ?? RedisKeys.LivenessLease;

    public async Task<bool> TryAcquireAsync(TimeSpan ttl) =>
        (int)await AcquireScript.EvaluateAsync(redis.GetDatabase(), new LeaseArgs(Key, Owner, (long)ttl.TotalMilliseconds)) == 1;

    public async Task ReleaseAsync() =>
        await ReleaseScript.EvaluateAsync(redis.GetDatabase(), new LeaseArgs(Key, Owner, 0));
}
