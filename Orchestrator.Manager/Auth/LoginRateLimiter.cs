using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Auth;

// Failed logins counted per client IP in Redis, so every replica sees the same count.
public sealed class LoginRateLimiter(IConnectionMultiplexer redis, IOptions<ManagerOptions> options)
{
    // The window starts at the first failure.
    internal sealed record FailureArgs(RedisKey Counter, long WindowMs);

    private static readonly LuaScript RecordFailureScript = LuaScript.Prepare("""
        local count = redis.call('INCR', @Counter)
        if count == 1 then redis.call('PEXPIRE', @Counter, @WindowMs) end
        return count
        """);

    // Null while the client may try; else how long until it may try again.
    public async Task<TimeSpan?> RetryAfterAsync(string client)
    {
        var db = redis.GetDatabase();
        var key = RedisKeys.LoginFailures(client);
        var count = db.StringGetAsync(key);
        var ttl = db.KeyTimeToLiveAsync(key);
        var failures = await count;
        if (failures.IsNull || (long)failures < options.Value.LoginFailureLimit) return null;
        return await ttl ?? options.Value.LoginFailureWindow;
    }

    public Task RecordFailureAsync(string client) => RecordFailureScript.EvaluateAsync(redis.GetDatabase(),
        new FailureArgs(RedisKeys.LoginFailures(client), (long)options.Value.LoginFailureWindow.TotalMilliseconds));

    public Task ResetAsync(string client) => redis.GetDatabase().KeyDeleteAsync(RedisKeys.LoginFailures(client));
}
