using System.Net.Sockets;
using System.Text;

namespace Orchestrator.AppHost.Extensions;

// One raw RESP command on a fresh connection and the first read of its reply, for the AppHost's health checks:
// they run before any Redis client is configured, and a reply's first bytes are all they look at.
public static class RedisProbe
{
    public static async Task<string> AskAsync(string host, int port, ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(command, cancellationToken);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
