using Orchestrator.Manager.Auth;
using StackExchange.Redis;
using Orchestrator.Manager.Redis;

namespace Orchestrator.Manager.Agents;

// Remembers each deploy's response under its Idempotency-Key, with a hash of the request body,
// so a retried request gets the first answer and never deploys twice, whichever replica it reaches.
public sealed class IdempotencyStore(IConnectionMultiplexer redis)
{
    private const string Pending = "pending";

    public enum Claim { Claimed, Replay, InProgress, Mismatch }

    public async Task<(Claim, string? Response)> ClaimAsync(string key, string requestBody)
    {
        var db = redis.GetDatabase();
        var hash = Fingerprint.Of(requestBody);
        if (await db.StringSetAsync(RedisKeys.Idempotency(key), hash + "|" + Pending, TimeSpan.FromMinutes(2), When.NotExists))
            return (Claim.Claimed, null);
        var stored = (string?)await db.StringGetAsync(RedisKeys.Idempotency(key));
        if (stored is null) return (Claim.InProgress, null);
        var split = stored.IndexOf('|');
        // Ignoring case: records written before Fingerprint stored upper-case hex.
        if (!string.Equals(stored[..split], hash, StringComparison.OrdinalIgnoreCase)) return (Claim.Mismatch, null);
        var response = stored[(split + 1)..];
        return response == Pending ? (Claim.InProgress, null) : (Claim.Replay, response);
    }

    public Task CompleteAsync(string key, string requestBody, string responseJson, TimeSpan retention) =>
        redis.GetDatabase().StringSetAsync(RedisKeys.Idempotency(key), Fingerprint.Of(requestBody) + "|" + responseJson, retention);

    public Task ReleaseAsync(string key) => redis.GetDatabase().KeyDeleteAsync(RedisKeys.Idempotency(key));

}
