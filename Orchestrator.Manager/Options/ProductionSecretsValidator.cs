using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

// Outside Development the admin password guards the whole cluster from the internet: at least 16
// characters, so the login limiter's few tries per client are no real chance of guessing it.
public sealed class ProductionSecretsValidator(IHostEnvironment environment) : IValidateOptions<ManagerOptions>
{
    public const int MinimumAdminPasswordLength = 16;

    public ValidateOptionsResult Validate(string? name, ManagerOptions options) =>
        !environment.IsDevelopment() && options.AdminPassword is { Length: > 0 and < MinimumAdminPasswordLength }
            ? ValidateOptionsResult.Fail(
                $"ADMIN_PASSWORD (Manager:AdminPassword) must be at least {MinimumAdminPasswordLength} characters outside Development; " +
                $"it has {options.AdminPassword.Length}. Generate one with: openssl rand -hex 16")
            : ValidateOptionsResult.Success;
}
