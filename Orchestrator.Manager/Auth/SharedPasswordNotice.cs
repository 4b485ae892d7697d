using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Auth;

// Says loudly at start when nodes may log in with ADMIN_PASSWORD: every customer holding it could act as admin.
public sealed class SharedPasswordNotice(IOptions<ManagerOptions> options, ILogger<SharedPasswordNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AllowSharedPasswordNodes)
            logger.LogWarning("ALLOW_SHARED_PASSWORD_NODES is on: orchestrators may log in with ADMIN_PASSWORD, so anyone running one " +
                "holds the admin password. Use enrollment tokens (docs/deployment.md) and turn it off.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
