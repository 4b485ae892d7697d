using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.AppHost.Extensions;

// Healthy once redis-server answers PING, so WaitFor(redis) holds the manager back until then.
public sealed class RedisPingHealthCheck(RedisServerResource resource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var endpoint = resource.PrimaryEndpoint;
            var reply = await RedisProbe.AskAsync(endpoint.Host, endpoint.Port, "*1\r\n$4\r\nPING\r\n"u8.ToArray(), cancellationToken);
            return reply.StartsWith("+PONG", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"redis-server answered '{reply.Trim()}'");
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("redis-server is not answering yet", ex);
        }
    }
}
