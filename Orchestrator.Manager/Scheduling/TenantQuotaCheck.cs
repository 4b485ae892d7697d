using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Scheduling;

// Whether a placement plan keeps every tenant within its max_agents quota. A tenant's agents are what its
// containers hold (assigned_agents). A plan over the quota by the planning snapshot is refused at once; one
// within it is checked again while holding the lease of each tenant a quota limits (TenantQuotaGate), against
// usage read after the lease was taken, and placed before the lease is let go. So two deploys racing for a
// tenant's last slots, from one replica or many, can never pass it together.
public sealed class TenantQuotaCheck(TenantQuotas quotas, TenantQuotaGate gate)
{
    // usage: each container's tenant and assigned agents.
    public async Task<Admission> AdmitAsync(IEnumerable<(string Tenant, int Assigned)> snapshot, IEnumerable<string> plannedTenants,
        Func<Task<IEnumerable<(string Tenant, int Assigned)>>> readUsageNow)
    {
        var adding = plannedTenants.Where(t => t.Length > 0).GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        if (adding.Count == 0) return Admission.Open;
        var limits = await quotas.ReadAllAsync();
        var limited = adding.Keys.Where(t => limits.GetValueOrDefault(t)?.MaxAgents is not null).ToList();
        if (limited.Count == 0) return Admission.Open;
        if (Over(snapshot, adding, limits) is { } early) return new Admission(early, null);

        if (await gate.EnterAsync(TenantQuotaGate.Agents, limited) is not { } held)
            return new Admission(new DeployOutcome.QuotaBusy(limited.Order(StringComparer.Ordinal).First()), null);
        try
        {
            // The quota too is read again: it may have been lowered while this deploy waited.
            var over = Over(await readUsageNow(), adding, await quotas.ReadAllAsync());
            if (over is null) return new Admission(null, held);
            await held.DisposeAsync();
            return new Admission(over, null);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    private static DeployOutcome.OverQuota? Over(IEnumerable<(string Tenant, int Assigned)> usage, Dictionary<string, int> adding,
        IReadOnlyDictionary<string, TenantQuota> limits)
    {
        var used = usage.Where(c => adding.ContainsKey(c.Tenant)).GroupBy(c => c.Tenant, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Assigned), StringComparer.Ordinal);
        foreach (var (tenant, count) in adding)
        {
            if (limits.GetValueOrDefault(tenant)?.MaxAgents is not { } max) continue;
            var now = used.GetValueOrDefault(tenant);
            if (now + count > max) return new DeployOutcome.OverQuota(tenant, max, now, count);
        }
        return null;
    }

    // Refusal: the outcome to answer with instead of placing. Otherwise place while holding it, then dispose it.
    public sealed record Admission(DeployOutcome? Refusal, TenantQuotaGate.Held? Held) : IAsyncDisposable
    {
        public static readonly Admission Open = new(null, null);

        public ValueTask DisposeAsync() => Held?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
