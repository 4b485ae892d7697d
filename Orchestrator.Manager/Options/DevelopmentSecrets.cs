using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

// In Development a fresh clone runs without setup: missing secrets are generated (and logged as such).
// Production never gets here, so a missing secret there stops the manager at startup.
public sealed class DevelopmentSecrets(IHostEnvironment environment, ILogger<DevelopmentSecrets> logger)
    : IPostConfigureOptions<ManagerOptions>
{
    public void PostConfigure(string? name, ManagerOptions options)
    {
        if (!environment.IsDevelopment()) return;
        if (string.IsNullOrEmpty(options.JwtSecret))
        {
            options.JwtSecret = RandomNumberGenerator.GetHexString(64);
            logger.LogWarning("JWT_SECRET is not set: generated one for this Development run; tokens die with the process");
        }
        if (string.IsNullOrEmpty(options.MasterSecretKey))
        {
            options.MasterSecretKey = RandomNumberGenerator.GetHexString(64);
            logger.LogWarning("MASTER_SECRET_KEY is not set: generated one for this Development run; secrets set now do not open after a restart");
        }
        if (string.IsNullOrEmpty(options.AdminPassword))
        {
            options.AdminPassword = RandomNumberGenerator.GetHexString(24);
            logger.LogWarning("ADMIN_PASSWORD is not set: generated {AdminPassword} for this Development run", options.AdminPassword);
        }
    }
}
