using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Tests.Infrastructure;

public static class FreePort
{
    // A loopback port the OS just handed out and released; good enough for a test's own processes.
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
