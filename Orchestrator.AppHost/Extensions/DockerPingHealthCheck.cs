using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.AppHost.Extensions;

// Healthy once the Docker Engine API on a unix socket answers GET /_ping (Docker and podman's service alike).
public sealed class DockerPingHealthCheck(string socketPath) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancel) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(3) };
            using var response = await client.GetAsync("http://engine/_ping", cancellationToken);
            return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"/_ping answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is SocketException or HttpRequestException or IOException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"the engine on {socketPath} is not answering yet", ex);
        }
    }
}
