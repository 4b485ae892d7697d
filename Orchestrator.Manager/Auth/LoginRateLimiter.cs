using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Auth;

// Failed logins counted per client IP in Redis, so every replica sees the same count.
public sealed class LoginRateLimiter(IConnectionMultiplexer redis, IOptions<ManagerOptions> options)
{
    // KEYS: counter. ARGV: window ms. The window starts at the first failure.
    private const string RecordFailureScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return count
        """;

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

    public Task RecordFailureAsync(string client) => redis.GetDatabase().ScriptEvaluateAsync(RecordFailureScript,
        [RedisKeys.LoginFailures(client)], [(long)options.Value.LoginFailureWindow.TotalMilliseconds]);

    public Task ResetAsync(string client) => redis.GetDatabase().KeyDeleteAsync(RedisKeys.LoginFailures(client));
}
