using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Bench.Hosting;

public static class FreePort
{
    // The kernel picks a free port; the listener closes before the child process binds it.
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
