using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Auth;

// Failed logins counted in Redis, so every replica sees the same counts: per client (IPv4 address or
// IPv6 /64, see ClientPartition) and username, plus one global count as a ceiling on guessing from many
// addresses. A client adds at most Manager:LoginFailureLimit failures to the global count per window, whatever
// usernames it tries, so one client (or one customer site behind one NAT) cannot fill the ceiling alone: it
// takes GlobalLoginFailureLimit / LoginFailureLimit clients. A failure is counted and judged in one script, so a
// burst of parallel wrong passwords gets at most Manager:LoginFailureLimit answers of 401 and 429 after that,
// whichever replica each reaches. Node credentials and enrollment tokens are not judged here when valid (see
// AuthApi): their secrets cannot be guessed, so others' failures must not lock them out.
public sealed class LoginRateLimiter(IConnectionMultiplexer redis, IOptions<ManagerOptions> options, IOptions<LimitsOptions> limits)
{
    // Counter: this client+username's failures; Client: this client's failures, any username; Everyone: all
    // clients' counted failures (every key in KEYS). Mode 'check' asks whether a login may be tried; 'fail'
    // counts a failure and judges it. Returns 0 when allowed (a failure is answered 401), else the milliseconds
    // until the window ends (429).
    internal sealed record LimiterArgs(RedisKey Counter, RedisKey Client, RedisKey Everyone, long Limit, long GlobalLimit, long WindowMs, string Mode);

    private static readonly LuaScript Script = LuaScript.Prepare("""
        local limit, global, window = tonumber(@Limit), tonumber(@GlobalLimit), tonumber(@WindowMs)
        local over_client, over_everyone = false, false
        if @Mode == 'fail' then
          local count = redis.call('INCR', @Counter)
          if count == 1 then redis.call('PEXPIRE', @Counter, window) end
          over_client = count > limit
          -- A client's first `limit` failures in a window count globally, whatever the usernames.
          local spread = redis.call('INCR', @Client)
          if spread == 1 then redis.call('PEXPIRE', @Client, window) end
          if not over_client then
            if spread <= limit then
              local total = redis.call('INCR', @Everyone)
              if total == 1 then redis.call('PEXPIRE', @Everyone, window) end
              over_everyone = total > global
            else
              over_everyone = tonumber(redis.call('GET', @Everyone) or '0') >= global
            end
          end
        else
          over_client = tonumber(redis.call('GET', @Counter) or '0') >= limit
          over_everyone = not over_client and tonumber(redis.call('GET', @Everyone) or '0') >= global
        end
        local ttl = 0
        if over_client then ttl = redis.call('PTTL', @Counter) end
        if over_everyone then ttl = redis.call('PTTL', @Everyone) end
        if (over_client or over_everyone) and ttl <= 0 then ttl = window end
        return ttl
        """);

    // Null while this client may try this username; else how long until it may try again.
    public Task<TimeSpan?> RetryAfterAsync(string client, string username) => RunAsync(client, username, "check");

    // Counts a failed login. Null: answer 401. Else: this failure is over a limit; answer 429 with the wait.
    public Task<TimeSpan?> RecordFailureAsync(string client, string username) => RunAsync(client, username, "fail");

    public Task ResetAsync(string client, string username) => redis.GetDatabase().KeyDeleteAsync(Key(client, username));

    private async Task<TimeSpan?> RunAsync(string client, string username, string mode)
    {
        var settings = options.Value;
        var waitMs = (long)await Script.EvaluateAsync(redis.GetDatabase(), new LimiterArgs(Key(client, username), RedisKeys.LoginFailures(client + "|any"), RedisKeys.AllLoginFailures,
            settings.LoginFailureLimit, limits.Value.GlobalLoginFailureLimit, (long)settings.LoginFailureWindow.TotalMilliseconds, mode));
        return waitMs > 0 ? TimeSpan.FromMilliseconds(waitMs) : null;
    }

    // The username is hashed: it is whatever the caller sent, and must not make key names long.
    private static RedisKey Key(string client, string username) =>
        RedisKeys.LoginFailures(client + "|" + Fingerprint.Short(username));
}
