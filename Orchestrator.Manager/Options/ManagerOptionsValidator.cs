using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

// Lists every bad setting at once, each naming the seed variable and the option key.
public sealed class ManagerOptionsValidator : IValidateOptions<ManagerOptions>
{
    public const int MinimumSecretLength = 32;

    public ValidateOptionsResult Validate(string? name, ManagerOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(options.JwtSecret))
            errors.Add("JWT_SECRET (Manager:JwtSecret) is required.");
        else if (options.JwtSecret.Length < MinimumSecretLength)
            errors.Add($"JWT_SECRET (Manager:JwtSecret) must be at least {MinimumSecretLength} characters; it has {options.JwtSecret.Length}.");
        for (var i = 0; i < options.JwtPreviousSecrets.Count; i++)
        {
            if (options.JwtPreviousSecrets[i].Length < MinimumSecretLength)
                errors.Add($"JWT_PREVIOUS_SECRETS entry {i + 1} (Manager:JwtPreviousSecrets) must be at least {MinimumSecretLength} characters.");
        }
        if (options.BootstrapEnrollmentToken is { Length: > 0 } bootstrap)
        {
            if (bootstrap.Length < MinimumSecretLength)
                errors.Add($"BOOTSTRAP_ENROLLMENT_TOKEN (Manager:BootstrapEnrollmentToken) must be at least {MinimumSecretLength} characters.");
            if (options.BootstrapOrchestratorIds.Count == 0)
                errors.Add("BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS (Manager:BootstrapOrchestratorIds) must name the orchestrator_ids the bootstrap token may enroll.");
        }
        if (options.BootstrapOrchestratorIds.Any(id => !Contracts.RequestValidation.IsIdentifier(id)))
            errors.Add("BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS entries must be 1-128 letters, digits, '.', '_' or '-'.");
        if (options.BootstrapMaxAgents is < 1 or > 10_000) errors.Add("Manager:BootstrapMaxAgents must be between 1 and 10000.");
        if (options.BootstrapTokenLifetime <= TimeSpan.Zero) errors.Add("Manager:BootstrapTokenLifetime must be positive.");
        if (options.NodeTokenLifetime <= TimeSpan.Zero) errors.Add("Manager:NodeTokenLifetime must be positive.");
        if (string.IsNullOrEmpty(options.AdminPassword))
            errors.Add("ADMIN_PASSWORD (Manager:AdminPassword) is required.");
        if (options.MasterSecretKey is { Length: > 0 and < MinimumSecretLength })
            errors.Add($"MASTER_SECRET_KEY (Manager:MasterSecretKey) must be at least {MinimumSecretLength} characters when given.");
        if (options.MasterSecretKeyPrevious is { Length: > 0 and < MinimumSecretLength })
            errors.Add($"MASTER_SECRET_KEY_PREVIOUS (Manager:MasterSecretKeyPrevious) must be at least {MinimumSecretLength} characters when given.");
        if (options.HeartbeatInterval < TimeSpan.FromSeconds(1) || options.HeartbeatInterval > TimeSpan.FromHours(1))
            errors.Add($"HEARTBEAT_INTERVAL (Manager:HeartbeatInterval) must be between 1 second and 1 hour; it is {options.HeartbeatInterval}.");
        if (options.LivenessCheckPeriod <= TimeSpan.Zero)
            errors.Add("Manager:LivenessCheckPeriod must be positive.");
        if (options.TokenLifetime <= TimeSpan.Zero)
            errors.Add("Manager:TokenLifetime must be positive.");
        if (options.LoginFailureLimit < 1)
            errors.Add("Manager:LoginFailureLimit must be at least 1.");
        if (options.LoginFailureWindow <= TimeSpan.Zero)
            errors.Add("Manager:LoginFailureWindow must be positive.");
        if (options.MaxRequestBodySize < 1024)
            errors.Add("Manager:MaxRequestBodySize must be at least 1024 bytes.");
        if (options.DefaultMaxAgents < 1)
            errors.Add("Manager:DefaultMaxAgents must be at least 1.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
