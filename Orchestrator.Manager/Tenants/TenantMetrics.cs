using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Tenants;

// Meter "Orchestrator.Manager.Tenants": heartbeats, placed agents, refused deploys and stopped agents by tenant,
// so the Aspire dashboard can break them down per customer. The tenant tag is bounded: the first
// Tenancy:MetricTenants tenants this replica sees keep their own value, every later one is "other", and a
// caller without a tenant (the admin's unpinned calls, shared-password nodes) is "none".
public sealed class TenantMetrics
{
    public const string MeterName = "Orchestrator.Manager.Tenants";
    public const string Other = "other";
    public const string None = "none";

    private readonly ConcurrentDictionary<string, byte> _named = new(StringComparer.Ordinal);
    private readonly int _limit;
    private readonly Counter<long> _heartbeats;
    private readonly Counter<long> _placements;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _stops;

    public TenantMetrics(IMeterFactory meterFactory, IOptions<TenancyOptions> options)
    {
        _limit = options.Value.MetricTenants;
        var meter = meterFactory.Create(MeterName);
        _heartbeats = meter.CreateCounter<long>("orchestrator.manager.tenant.heartbeats", "{heartbeat}", "Heartbeats received, by tenant");
        _placements = meter.CreateCounter<long>("orchestrator.manager.tenant.placements", "{agent}", "Agents placed by deploys, by tenant");
        _refusals = meter.CreateCounter<long>("orchestrator.manager.tenant.deploy.refusals", "{deploy}", "Deploys refused, by tenant");
        _stops = meter.CreateCounter<long>("orchestrator.manager.tenant.stops", "{agent}", "Agents stopped by operators, by tenant");
    }

    public void Heartbeat(string? tenant) => _heartbeats.Add(1, Tag(tenant));

    public void Placed(IEnumerable<string> tenantOfEachAgent)
    {
        foreach (var group in tenantOfEachAgent.GroupBy(t => t, StringComparer.Ordinal)) _placements.Add(group.Count(), Tag(group.Key));
    }

    public void Refused(string? tenant) => _refusals.Add(1, Tag(tenant));

    public void Stopped(string? tenant) => _stops.Add(1, Tag(tenant));

    // The tag value for a tenant: itself while within the limit (or already named), else "other".
    public string TagValue(string? tenant)
    {
        if (string.IsNullOrEmpty(tenant)) return None;
        if (_named.ContainsKey(tenant)) return tenant;
        // Racing callers may name one or two past the limit; the bound still holds within that slack.
        if (_named.Count >= _limit) return Other;
        _named.TryAdd(tenant, 0);
        return tenant;
    }

    private KeyValuePair<string, object?> Tag(string? tenant) => new("tenant", TagValue(tenant));
}
