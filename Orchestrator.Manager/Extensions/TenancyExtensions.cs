using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Secrets;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Extensions;

// Tenants (issue 13): scoped operators, quotas, the audit log and the bounded tenant tag of metrics.
public static class TenancyExtensions
{
    public static WebApplicationBuilder AddTenancy(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TenancyOptions>, TenancyOptionsValidator>();
        builder.Services.AddSingleton<OperatorStore>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<TenantQuotas>();
        // Maintenance windows (issue 27): the store and the "open now?" service rollouts, drains and upgrade advice ask.
        builder.Services.AddSingleton<MaintenanceStore>();
        builder.Services.AddSingleton<MaintenanceWindows>();
        builder.Services.AddSingleton<UpgradeAdvice>();
        builder.Services.AddSingleton<TenantUsage>();
        builder.Services.AddSingleton<ImageDigestRequirement>();
        builder.Services.AddSingleton<TenantQuotaGate>();
        builder.Services.AddSingleton<TenantQuotaCheck>();
        builder.Services.AddSingleton<TenantMetrics>();
        builder.Services.AddSingleton<SecretKeyRing>();
        builder.Services.AddSingleton<SecretCipher>();
        builder.Services.AddSingleton<SecretStore>();
        builder.Services.AddSingleton<SecretDelivery>();
        builder.Services.AddHostedService<SecretReencryption>();
        return builder;
    }
}
