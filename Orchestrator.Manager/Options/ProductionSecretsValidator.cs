using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

// Outside Development the admin password guards the whole cluster from the internet: at least 16
// characters, so the login limiter's few tries per client are no real chance of guessing it.
public sealed class ProductionSecretsValidator(IHostEnvironment environment) : IValidateOptions<ManagerOptions>
{
    public const int MinimumAdminPasswordLength = 16;

    public ValidateOptionsResult Validate(string? name, ManagerOptions options)
    {
        if (environment.IsDevelopment()) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        if (options.AdminPassword is { Length: > 0 and < MinimumAdminPasswordLength })
            errors.Add($"ADMIN_PASSWORD (Manager:AdminPassword) must be at least {MinimumAdminPasswordLength} characters outside Development; " +
                $"it has {options.AdminPassword.Length}. Generate one with: openssl rand -hex 16");
        // Tenant secrets are sealed under it: without it no replica could read one back.
        if (string.IsNullOrEmpty(options.MasterSecretKey))
            errors.Add("MASTER_SECRET_KEY (Manager:MasterSecretKey) is required outside Development: tenant secrets are sealed under it. " +
                "Generate one with: openssl rand -hex 32");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
