using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.AppHost.Extensions;

// Healthy once every node of the local Redis Cluster reports cluster_state:ok, so WaitFor(redis) holds the
// manager back until every slot is served.
public sealed class RedisClusterHealthCheck(RedisClusterResource resource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var port in resource.Ports)
        {
            try
            {
                var reply = await RedisProbe.AskAsync("127.0.0.1", port, "*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n"u8.ToArray(), cancellationToken);
                if (!reply.Contains("cluster_state:ok", StringComparison.Ordinal))
                    return HealthCheckResult.Unhealthy($"the Redis Cluster node on port {port} is not cluster_state:ok yet");
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                return HealthCheckResult.Unhealthy($"the Redis Cluster node on port {port} is not answering yet", ex);
            }
        }
        return HealthCheckResult.Healthy();
    }
}
