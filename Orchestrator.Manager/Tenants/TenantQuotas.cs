using System.Text.Json;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Tenants;

// Per-tenant quotas in one Redis hash (RedisKeys.TenantQuotas): orchestrator_id -> TenantQuota JSON.
public sealed class TenantQuotas(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    public async Task<IReadOnlyDictionary<string, TenantQuota>> ReadAllAsync() =>
        (await Db.HashGetAllAsync(RedisKeys.TenantQuotas))
            .Select(e => (Tenant: e.Name.ToString(), Quota: Parse(e.Value)))
            .Where(e => e.Quota is not null)
            .ToDictionary(e => e.Tenant, e => e.Quota!, StringComparer.Ordinal);

    public async Task<TenantQuota> ReadAsync(string tenant) => Parse(await Db.HashGetAsync(RedisKeys.TenantQuotas, tenant)) ?? TenantQuota.None;

    public Task SetAsync(string tenant, TenantQuota quota) =>
        Db.HashSetAsync(RedisKeys.TenantQuotas, tenant, JsonSerializer.Serialize(quota, TenantsJsonContext.Default.TenantQuota));

    private static TenantQuota? Parse(RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonSerializer.Deserialize(value.ToString(), TenantsJsonContext.Default.TenantQuota);
}

// null: no limit. RequireImageDigest: container agents placed on this tenant must name their image by digest.
public sealed record TenantQuota(int? MaxContainers, int? MaxAgents, bool RequireImageDigest = false)
{
    public static readonly TenantQuota None = new(null, null);
}
