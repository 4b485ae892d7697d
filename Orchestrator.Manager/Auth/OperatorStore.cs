using System.Security.Cryptography;
using System.Text.Json;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Auth;

// Scoped operators in one Redis hash (RedisKeys.Operators): name -> StoredOperator JSON. The api_key is
// stored only as its SHA-256 (it is random, so no salt or slow hash is needed). Version is new at every
// create: a token carries it, and a token whose operator is gone or was created again stops at once.
public sealed class OperatorStore(IConnectionMultiplexer redis, TimeProvider time)
{
    private IDatabase Db => redis.GetDatabase();

    // Null when the name is taken.
    public async Task<OperatorCreated?> CreateAsync(string name, string role, IReadOnlyList<string> tenants)
    {
        var apiKey = "opk_" + RandomNumberGenerator.GetHexString(48, lowercase: true);
        var stored = new StoredOperator(name, role, tenants, EnrollmentSecrets.Hash(apiKey),
            RandomNumberGenerator.GetHexString(16, lowercase: true), time.GetUtcNow());
        if (!await Db.HashSetAsync(RedisKeys.Operators, name, Json(stored), When.NotExists)) return null;
        return new OperatorCreated(name, role, tenants, apiKey, stored.CreatedAt);
    }

    public async Task<StoredOperator?> FindAsync(string name) =>
        name.Length is 0 or > OperatorValidation.MaxNameLength ? null : Parse(await Db.HashGetAsync(RedisKeys.Operators, name));

    public async Task<IReadOnlyList<OperatorView>> ListAsync() =>
        (await Db.HashValuesAsync(RedisKeys.Operators)).Select(Parse).OfType<StoredOperator>()
            .Select(o => o.ToView()).OrderBy(o => o.Name, StringComparer.Ordinal).ToList();

    public async Task<bool> DeleteAsync(string name) => await Db.HashDeleteAsync(RedisKeys.Operators, name);

    // The operator this name and api_key log in as; null for an unknown name or a wrong key (constant time).
    public async Task<StoredOperator?> VerifyAsync(string name, string apiKey) =>
        await FindAsync(name) is { } stored && EnrollmentSecrets.Matches(apiKey, stored.KeyHash) ? stored : null;

    private static string Json(StoredOperator stored) => JsonSerializer.Serialize(stored, OperatorsJsonContext.Default.StoredOperator);

    private static StoredOperator? Parse(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize(value.ToString(), OperatorsJsonContext.Default.StoredOperator);
}

public sealed record StoredOperator(string Name, string Role, IReadOnlyList<string> Tenants, string KeyHash, string Version, DateTimeOffset CreatedAt)
{
    public OperatorView ToView() => new(Name, Role, Tenants, CreatedAt);
}
