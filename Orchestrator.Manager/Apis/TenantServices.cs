using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// What the quota handler needs, bound with [AsParameters] (as eShop's CatalogServices).
public sealed class TenantServices(TenantUsage usage, TenantQuotas quotas, TenantQuotaGate gate, AuditLog audit)
{
    public TenantUsage Usage { get; } = usage;
    public TenantQuotas Quotas { get; } = quotas;
    public TenantQuotaGate Gate { get; } = gate;
    public AuditLog Audit { get; } = audit;
}
