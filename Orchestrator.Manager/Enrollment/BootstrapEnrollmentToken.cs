using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Enrollment;

// Stores BOOTSTRAP_ENROLLMENT_TOKEN at start (like kubeadm --token): the local AppHost generates one as a
// parameter and gives it to the manager and its orchestrators, which then enroll the production way.
// Re-stored at every start with a fresh lifetime; its uses are not limited, its orchestrator_ids are.
public sealed class BootstrapEnrollmentToken(EnrollmentTokenStore tokens, IOptions<ManagerOptions> options, TimeProvider time,
    ILogger<BootstrapEnrollmentToken> logger) : IHostedService
{
    public const string TokenId = "bootstrap";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.BootstrapEnrollmentToken is not { Length: > 0 } token) return;
        var bounds = new NodeBounds(settings.BootstrapOrchestratorIds, settings.BootstrapMaxAgents, null, null);
        await tokens.StoreAsync(token, TokenId, bounds, maxUses: 0, time.GetUtcNow() + settings.BootstrapTokenLifetime);
        logger.LogInformation("Bootstrap enrollment token stored for orchestrator_ids {OrchestratorIds}, valid for {Lifetime}",
            string.Join(", ", settings.BootstrapOrchestratorIds), settings.BootstrapTokenLifetime);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
