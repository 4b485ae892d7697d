using System.Text.Json;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Tenants;

// Tenants' maintenance windows in one Redis hash (RedisKeys.TenantMaintenance): tenant -> StoredMaintenance JSON,
// kept as the request gave it (already validated), so GET answers what PUT stored.
public sealed class MaintenanceStore(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    public async Task<StoredMaintenance?> ReadAsync(string tenant) =>
        await Db.HashGetAsync(RedisKeys.TenantMaintenance, tenant) is { IsNullOrEmpty: false } value
            ? JsonSerializer.Deserialize(value.ToString(), TenantsJsonContext.Default.StoredMaintenance) : null;

    public Task SetAsync(string tenant, StoredMaintenance maintenance) =>
        Db.HashSetAsync(RedisKeys.TenantMaintenance, tenant, JsonSerializer.Serialize(maintenance, TenantsJsonContext.Default.StoredMaintenance));
}

public sealed record StoredMaintenance(string TimeZone, IReadOnlyList<MaintenanceWindow> Windows, DateTimeOffset UpdatedAt)
{
    public MaintenanceSchedule Schedule() => MaintenanceSchedule.From(new MaintenanceRequest(TimeZone, Windows)).Schedule ?? MaintenanceSchedule.AlwaysOpen;
}
