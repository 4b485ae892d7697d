using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Testing;

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999): a port the OS hands out for outgoing connections could be
    // taken by one while its process is down, and a killed node could then not restart on its own port.
    private const int First = 20000;
    private const int Last = 32000;

    // Ports this process handed out: a port is only bound when its process starts, so two callers probing in
    // between (ProcessCluster picks every node's port before starting Redis) could otherwise get the same one.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> HandedOut = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                if (HandedOut.TryAdd(port, true)) return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException($"no free port between {First} and {Last}");
    }

    // A free port whose port + offset is free too, e.g. a Redis Cluster node and its cluster bus (+10000).
    public static int NextWithPeer(int offset)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Next();
            try
            {
                using var peer = new TcpListener(IPAddress.Loopback, port + offset);
                peer.Start();
                if (HandedOut.TryAdd(port + offset, true)) return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException($"no free port with a free port {offset} above it");
    }
}
