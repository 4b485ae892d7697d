namespace Orchestrator.Manager.Options;

// Settings of tenants, scoped operators and the audit log (section "Tenancy"); TenancyOptionsValidator checks them.
public sealed class TenancyOptions
{
    public const string SectionName = "Tenancy";

    // The audit stream is capped near this many entries (XADD MAXLEN ~): the oldest go first.
    public int AuditMaxEntries { get; set; } = 100_000;

    // Metrics carry a tenant tag for at most this many tenants (the first seen, per replica); every other
    // tenant is tagged "other", so a fleet of thousands of customers cannot blow up the metric series.
    public int MetricTenants { get; set; } = 20;
}
