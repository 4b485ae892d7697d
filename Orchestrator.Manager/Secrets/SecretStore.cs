using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Secrets;

// Tenant secrets in Redis, sealed (SecretCipher): one hash per tenant (name -> StoredSecret JSON) and the set of
// tenants that have any, all under the tag {secrets}. Every write is a compare-and-set of the entry read just
// before, so two replicas writing one secret never lose a version, and the re-encryption pass never overwrites
// a value a PUT replaced meanwhile. Nothing here returns a value except OpenAsync, which only assignment
// delivery calls.
public sealed class SecretStore(IConnectionMultiplexer redis, SecretCipher cipher, TimeProvider time)
{
    private const int MaxAttempts = 16;

    // Sets one secret's entry if it is still what the caller read (empty: absent), and lists the tenant as having secrets.
    private static readonly LuaScript CompareAndSetScript = LuaScript.Prepare("""
        local current = redis.call('HGET', @Secrets, @Name)
        if (current or '') ~= @Expected then return 0 end
        redis.call('HSET', @Secrets, @Name, @Next)
        redis.call('SADD', @Tenants, @Tenant)
        return 1
        """);

    internal sealed record CompareAndSetArgs(RedisKey Secrets, RedisKey Tenants, string Name, string Expected, string Next, string Tenant);

    private static readonly LuaScript DeleteScript = LuaScript.Prepare("""
        local removed = redis.call('HDEL', @Secrets, @Name)
        if redis.call('HLEN', @Secrets) == 0 then redis.call('SREM', @Tenants, @Tenant) end
        return removed
        """);

    internal sealed record DeleteArgs(RedisKey Secrets, RedisKey Tenants, string Name, string Tenant);

    private IDatabase Db => redis.GetDatabase();

    public async Task<SecretView> PutAsync(string tenant, string name, string value)
    {
        var sealedValue = cipher.Seal(tenant, name, value);
        for (var attempt = 0; ; attempt++)
        {
            var currentJson = await Db.HashGetAsync(RedisKeys.TenantSecrets(tenant), name);
            var current = Parse(currentJson);
            var now = time.GetUtcNow();
            var next = new StoredSecret((current?.Version ?? 0) + 1, cipher.CurrentKeyId, sealedValue, current?.CreatedAt ?? now, now);
            if (await CompareAndSetAsync(tenant, name, currentJson, next)) return next.ToView(tenant, name);
            if (attempt >= MaxAttempts) throw new InvalidOperationException($"secret '{name}' of tenant '{tenant}' kept changing under this write");
        }
    }

    public async Task<IReadOnlyList<SecretView>> ListAsync(string tenant) =>
        (await Db.HashGetAllAsync(RedisKeys.TenantSecrets(tenant)))
            .Select(e => Parse(e.Value)?.ToView(tenant, e.Name.ToString())).OfType<SecretView>()
            .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    public async Task<bool> ExistsAsync(string tenant, string name) => await Db.HashExistsAsync(RedisKeys.TenantSecrets(tenant), name);

    public async Task<bool> DeleteAsync(string tenant, string name) =>
        (long)await DeleteScript.EvaluateAsync(Db, new DeleteArgs(RedisKeys.TenantSecrets(tenant), RedisKeys.SecretTenants, name, tenant)) == 1;

    // The value, for the one node that holds an agent's current epoch; null when missing or not openable.
    public async Task<string?> OpenAsync(string tenant, string name) =>
        Parse(await Db.HashGetAsync(RedisKeys.TenantSecrets(tenant), name)) is { } stored
            ? cipher.Open(tenant, name, stored.KeyId, stored.Sealed) : null;

    // Moves every secret not sealed under the current key to it. Returns how many moved and which could not be
    // opened by any key this replica holds (named by tenant/name, never by value).
    public async Task<(int Moved, IReadOnlyList<string> Unopenable)> ReencryptAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        var unopenable = new List<string>();
        foreach (var tenant in (await Db.SetMembersAsync(RedisKeys.SecretTenants)).Select(t => t.ToString()).Order(StringComparer.Ordinal))
        {
            foreach (var entry in await Db.HashGetAllAsync(RedisKeys.TenantSecrets(tenant)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = entry.Name.ToString();
                if (Parse(entry.Value) is not { } stored || stored.KeyId == cipher.CurrentKeyId) continue;
                if (cipher.Open(tenant, name, stored.KeyId, stored.Sealed) is not { } value)
                {
                    unopenable.Add($"{tenant}/{name}");
                    continue;
                }
                // A PUT in between wins: it sealed under the current key already.
                if (await CompareAndSetAsync(tenant, name, entry.Value, stored with { KeyId = cipher.CurrentKeyId, Sealed = cipher.Seal(tenant, name, value) }))
                    moved++;
            }
        }
        return (moved, unopenable);
    }

    private async Task<bool> CompareAndSetAsync(string tenant, string name, RedisValue expected, StoredSecret next) =>
        (long)await CompareAndSetScript.EvaluateAsync(Db, new CompareAndSetArgs(RedisKeys.TenantSecrets(tenant), RedisKeys.SecretTenants, name,
            expected.IsNull ? "" : expected.ToString(), JsonSerializer.Serialize(next, SecretsJsonContext.Default.StoredSecret), tenant)) == 1;

    private static StoredSecret? Parse(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize(value.ToString(), SecretsJsonContext.Default.StoredSecret);
}

public sealed record StoredSecret(int Version, string KeyId, string Sealed, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public SecretView ToView(string tenant, string name) => new(name, tenant, Version, KeyId, CreatedAt, UpdatedAt);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StoredSecret))]
internal sealed partial class SecretsJsonContext : JsonSerializerContext;
