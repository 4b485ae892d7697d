using System.Globalization;
using System.Text.Json;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Enrollment;

// Enrollment tokens in Redis, each under the SHA-256 of the whole token (the token itself is never stored).
public sealed class EnrollmentTokenStore(IConnectionMultiplexer redis, TimeProvider time)
{
    private IDatabase Db => redis.GetDatabase();

    // Replaces: the container_id of a live node this token may take over (null: none).
    public sealed record StoredToken(string TokenId, NodeBounds Bounds, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, int MaxUses, int Uses,
        string? Replaces = null);

    public async Task<EnrollmentTokenCreated> CreateAsync(string orchestratorId, TimeSpan ttl, int maxUses, NodeBounds bounds, string? replaces = null)
    {
        var (token, tokenId) = EnrollmentSecrets.NewEnrollmentToken();
        var expiresAt = time.GetUtcNow() + ttl;
        await StoreAsync(token, tokenId, bounds, maxUses, expiresAt, replaces);
        return new EnrollmentTokenCreated(token, tokenId, orchestratorId, expiresAt, maxUses);
    }

    // maxUses 0: unlimited (the bootstrap token, bounded by its lifetime instead).
    public async Task StoreAsync(string token, string tokenId, NodeBounds bounds, int maxUses, DateTimeOffset expiresAt, string? replaces = null)
    {
        var hash = EnrollmentSecrets.Hash(token);
        await EnrollmentScripts.Store.EvaluateAsync(Db, new EnrollmentScripts.StoreArgs(
            Token: RedisKeys.EnrollmentToken(hash), Tokens: RedisKeys.EnrollmentTokens,
            TokenId: tokenId, OrchestratorIds: Json(bounds.OrchestratorIds), MaxUses: maxUses,
            ExpiresAt: expiresAt.ToUnixTimeMilliseconds(), CreatedAt: time.GetUtcNow().ToUnixTimeMilliseconds(), MaxAgents: bounds.MaxAgents,
            Capabilities: bounds.Capabilities is { } caps ? Json(caps) : "", Labels: bounds.Labels is { } labels ? Json(labels) : "", Hash: hash,
            Replaces: replaces ?? ""));
    }

    public async Task<StoredToken?> FindAsync(string token) => await ReadAsync(EnrollmentSecrets.Hash(token));

    public async Task<IReadOnlyList<EnrollmentTokenView>> ListAsync()
    {
        var index = await Db.HashGetAllAsync(RedisKeys.EnrollmentTokens);
        var views = new List<EnrollmentTokenView>(index.Length);
        foreach (var entry in index)
        {
            if (await ReadAsync(entry.Value!) is { } stored)
                views.Add(new EnrollmentTokenView(stored.TokenId, stored.Bounds.OrchestratorIds, stored.CreatedAt, stored.ExpiresAt,
                    stored.MaxUses, stored.Uses, stored.Bounds.MaxAgents, stored.Bounds.Capabilities, stored.Bounds.Labels, stored.Replaces));
            else await Db.HashDeleteAsync(RedisKeys.EnrollmentTokens, entry.Name); // expired: its hash is gone
        }
        return views.OrderBy(v => v.CreatedAt).ThenBy(v => v.TokenId, StringComparer.Ordinal).ToList();
    }

    public async Task<bool> DeleteAsync(string tokenId)
    {
        var hash = await Db.HashGetAsync(RedisKeys.EnrollmentTokens, tokenId);
        if (hash.IsNull) return false;
        return (int)await EnrollmentScripts.Delete.EvaluateAsync(Db, new EnrollmentScripts.DeleteArgs(
            Token: RedisKeys.EnrollmentToken(hash!), Tokens: RedisKeys.EnrollmentTokens, TokenId: tokenId)) == 1;
    }

    private async Task<StoredToken?> ReadAsync(string hash)
    {
        var fields = (await Db.HashGetAllAsync(RedisKeys.EnrollmentToken(hash))).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        if (fields.Count == 0) return null;
        string Field(string name) => fields.GetValueOrDefault(name) ?? "";
        long Long(string name) => long.TryParse(Field(name), CultureInfo.InvariantCulture, out var v) ? v : 0;
        var bounds = new NodeBounds(
            JsonSerializer.Deserialize(Field("orchestrator_ids"), EnrollmentJsonContext.Default.IReadOnlyListString) ?? [],
            (int)Long("max_agents"),
            Field("capabilities") is { Length: > 0 } caps ? JsonSerializer.Deserialize(caps, EnrollmentJsonContext.Default.IReadOnlyListString) : null,
            Field("labels") is { Length: > 0 } labels ? JsonSerializer.Deserialize(labels, EnrollmentJsonContext.Default.IReadOnlyDictionaryStringString) : null);
        return new StoredToken(Field("token_id"), bounds, DateTimeOffset.FromUnixTimeMilliseconds(Long("created_at")),
            DateTimeOffset.FromUnixTimeMilliseconds(Long("expires_at")), (int)Long("max_uses"), (int)Long("uses"),
            Field("replaces") is { Length: > 0 } replaces ? replaces : null);
    }

    private static string Json(IReadOnlyList<string> values) => JsonSerializer.Serialize(values, EnrollmentJsonContext.Default.IReadOnlyListString);

    private static string Json(IReadOnlyDictionary<string, string> values) =>
        JsonSerializer.Serialize(values, EnrollmentJsonContext.Default.IReadOnlyDictionaryStringString);
}
