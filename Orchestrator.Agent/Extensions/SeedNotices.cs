using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Extensions;

// Says once at start what the node does with settings it accepts but does not use.
public sealed class SeedNotices(IOptions<NodeOptions> node, ILogger<SeedNotices> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(node.Value.RedisUrl))
        {
            logger.LogInformation("REDIS_URL is set but not used: orchestrators talk only to the manager's HTTP API, " +
                "so Redis is never exposed to customer networks");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
