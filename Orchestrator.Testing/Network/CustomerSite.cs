using System.Net;

namespace Orchestrator.Testing.Network;

// Customer N of a NetworkLab: its own namespace and network 10.200.N.0/24, its own hostname, one link to the
// router (cut with NetworkLab.CutAsync), and the WAN relay every connection to the manager passes through.
public sealed class CustomerSite(int number, NetworkNamespace space)
{
    public int Number { get; } = number;

    public NetworkNamespace Namespace { get; } = space;

    public string HostName => $"customer-{Number}";

    // The customer's own address: its node's EXTERNAL_IP and where its local API listens.
    public IPAddress Address { get; } = IPAddress.Parse($"10.200.{number}.2");

    // The router's end of the customer's link (the customer's default gateway).
    public IPAddress Gateway { get; } = IPAddress.Parse($"10.200.{number}.1");

    public string Network => $"10.200.{Number}.0/24";

    // The router's interface towards this customer: `ip link set <it> down` is the cut.
    public string RouterInterface => $"c{Number}";

    // The path to the manager: latency, jitter, resets and the asymmetric fault, per customer.
    public NamespaceRelay Wan { get; internal set; } = null!;

    public bool IsCut { get; internal set; }

    public override string ToString() => HostName;
}
