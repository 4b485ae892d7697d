using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

// Lists every bad tenancy setting at once, each naming its option key.
public sealed class TenancyOptionsValidator : IValidateOptions<TenancyOptions>
{
    public ValidateOptionsResult Validate(string? name, TenancyOptions options)
    {
        var errors = new List<string>();
        if (options.AuditMaxEntries is < 1000 or > 10_000_000)
            errors.Add($"Tenancy:AuditMaxEntries must be between 1000 and 10000000; it is {options.AuditMaxEntries}.");
        if (options.MetricTenants is < 0 or > 1000)
            errors.Add($"Tenancy:MetricTenants must be between 0 and 1000; it is {options.MetricTenants}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
