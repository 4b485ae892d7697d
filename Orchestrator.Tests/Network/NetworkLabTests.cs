using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Tests.Network;

// The lab itself, before any service runs in it: the routing, the firewall and its counters, the customers'
// hosts files, the WAN relay's delay, and that the host's own network is left alone.
[Collection(NetworkCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Network)]
public sealed class NetworkLabTests
{
    [SkippableFact]
    public async Task ACustomerReachesTheVendorThroughTheDelayingRelayButTheVendorCannotOpenAConnectionIntoTheCustomerAndTheAttemptIsCounted()
    {
        await NetworkTier.RequireNamespacesAsync();
        var hostLinks = await ChildProcess.OutputOfAsync("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(10));
        await using var lab = await NetworkLab.CreateAsync(1, WanProfile.Default with { ResetFraction = 0 });
        var customer = lab.Customers[0];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // An echo service where the manager would listen, and one on the customer's own address.
        using var vendorListener = Listen(lab.Vendor, new IPEndPoint(NetworkLab.VendorAddress, NetworkLab.ManagerPort));
        using var customerListener = Listen(customer.Namespace, new IPEndPoint(customer.Address, NetworkLab.NodePort));
        _ = EchoAsync(vendorListener, stop.Token);

        // customer → vendor: connects, through the WAN relay (its firewall redirects port 8000 there); a round trip costs ~2 × 50 ms.
        using (var outbound = await customer.Namespace.ConnectAsync(new IPEndPoint(NetworkLab.VendorAddress, NetworkLab.ManagerPort), stop.Token))
        {
            var roundTrip = await RoundTripAsync(outbound, stop.Token);
            Assert.InRange(roundTrip.TotalMilliseconds, 75, 1000);
        }
        Assert.Equal(1, customer.Wan.Connections);

        // vendor → customer: the router drops the new connection; it never completes.
        using (var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                using var inbound = await lab.Vendor.ConnectAsync(new IPEndPoint(customer.Address, NetworkLab.NodePort), attempt.Token);
            });
        }
        var counters = await lab.CountersAsync();
        Assert.True(counters.CustomersToVendor >= 1, counters.ToString());
        Assert.True(counters.VendorDialsIntoCustomers >= 1, counters.ToString());
        Assert.True(counters.RouterRefusedVendorToCustomer >= 1, counters.ToString());

        // The customer resolves the manager's name through its own hosts file, to the vendor's address.
        var resolved = await customer.Namespace.RunAsync("getent", "hosts", NetworkLab.ManagerHostName);
        Assert.StartsWith(NetworkLab.VendorAddress.ToString(), resolved.Trim());
        // The host's own interfaces are what they were: the veth pairs were born inside the lab's namespaces.
        Assert.Equal(hostLinks.Split('\n').Length, (await ChildProcess.OutputOfAsync("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(10))).Split('\n').Length);
    }

    [SkippableFact]
    public async Task DisposingTheLabDeletesItsNamespacesAndTheirHostsFiles()
    {
        await NetworkTier.RequireNamespacesAsync();
        var lab = await NetworkLab.CreateAsync(2);
        var names = new[] { lab.Vendor, lab.Router }.Concat(lab.Customers.Select(c => c.Namespace)).Select(n => n.Name).ToList();
        Assert.All(names, name => Assert.True(File.Exists(Path.Combine("/var/run/netns", name)), name));

        await lab.DisposeAsync();

        var listed = await ChildProcess.OutputOfAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        Assert.All(names, name => Assert.DoesNotContain(name, listed));
        Assert.All(names, name => Assert.False(Directory.Exists(Path.Combine("/etc/netns", name)), name));
    }

    private static Socket Listen(NetworkNamespace space, IPEndPoint endpoint)
    {
        var socket = space.CreateSocket();
        socket.Bind(endpoint);
        socket.Listen(16);
        return socket;
    }

    private static async Task EchoAsync(Socket listener, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var connection = await listener.AcceptAsync(cancellationToken);
                _ = Task.Run(async () =>
                {
                    using (connection)
                    {
                        var buffer = new byte[256];
                        int read;
                        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
                            await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
                    }
                }, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task<TimeSpan> RoundTripAsync(Socket socket, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        await socket.SendAsync(new byte[] { 42 }, SocketFlags.None, cancellationToken);
        var buffer = new byte[1];
        Assert.Equal(1, await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken));
        Assert.Equal(42, buffer[0]);
        return started.Elapsed;
    }
}
