using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Network;

// Separate networks for the vendor and each customer, made of Linux network namespaces (root only):
//
//   vendor 10.100.0.2 ──── 10.100.0.1 router 10.200.N.1 ──── 10.200.N.2 customer-N   (N = 1..Customers)
//   (redis, manager)        forwards customer→vendor only       (node; WAN relay on its path)
//
// - The router forwards new connections from customers to the vendor and drops (and counts) new ones from the
//   vendor side; answers on established connections pass. Customers cannot reach each other.
// - Each customer's /etc/netns/<ns>/hosts resolves ManagerHostName to the vendor, as host.docker.internal would.
// - Each customer's connections to the manager are redirected (nftables, inside the customer) to its WAN relay,
//   which dials the manager from the customer's namespace: real routing, real firewall, shaped bytes.
// Nothing of the host's own network changes: veth pairs are created straight into the lab's namespaces, and
// every address, route, sysctl and firewall rule is set inside them. Names carry the test host's pid; Dispose
// deletes them, and a new lab first deletes those left by test hosts that no longer run.
public sealed partial class NetworkLab : IAsyncDisposable
{
    public const string Family = "ornet-";
    public const string ManagerHostName = "manager.vendor.test";
    public const int ManagerPort = 8000;
    public const int NodePort = 8001;
    public static readonly IPAddress VendorAddress = IPAddress.Parse("10.100.0.2");
    public static readonly IPAddress RouterVendorAddress = IPAddress.Parse("10.100.0.1");

    // The WAN relay's own connections carry this mark, so the customer's redirect rule lets them through.
    private const int RelayMark = 1;
    private static readonly Lazy<Task<string?>> Probe = new(ProbeAsync);
    private static int _labs;

    private readonly List<NetworkNamespace> _namespaces = [];

    private NetworkLab(string prefix, int customers)
    {
        Prefix = prefix;
        Vendor = Add(new NetworkNamespace($"{prefix}-vendor"));
        Router = Add(new NetworkNamespace($"{prefix}-router"));
        Customers = Enumerable.Range(1, customers).Select(n => new CustomerSite(n, Add(new NetworkNamespace($"{prefix}-c{n}")))).ToList();
    }

    public string Prefix { get; }

    public NetworkNamespace Vendor { get; }

    public NetworkNamespace Router { get; }

    public IReadOnlyList<CustomerSite> Customers { get; }

    public static Uri ManagerUrlByName => new($"http://{ManagerHostName}:{ManagerPort}");

    public static Uri ManagerUrlByAddress => new($"http://{VendorAddress}:{ManagerPort}");

    // Why this machine cannot run the lab (not Linux, not root, no `ip`/`nft`, namespaces refused), or null.
    public static Task<string?> UnavailableBecauseAsync() => Probe.Value;

    public static async Task<NetworkLab> CreateAsync(int customers, WanProfile? wan = null)
    {
        if (customers is < 1 or > 250) throw new ArgumentOutOfRangeException(nameof(customers), customers, "1..250 customers (10.200.N.0/24)");
        if (await UnavailableBecauseAsync() is { } reason) throw new InvalidOperationException("network namespaces unavailable: " + reason);
        await DeleteStaleAsync();
        var lab = new NetworkLab($"{Family}{Environment.ProcessId}-{Interlocked.Increment(ref _labs)}", customers);
        try
        {
            await lab.BuildAsync(wan ?? WanProfile.Default);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    // The cut: the router's end of the customer's link goes down; packets in flight are lost, connections hang.
    public async Task CutAsync(CustomerSite customer)
    {
        await Router.IpAsync("link", "set", customer.RouterInterface, "down");
        customer.IsCut = true;
    }

    public async Task RestoreAsync(CustomerSite customer)
    {
        await Router.IpAsync("link", "set", customer.RouterInterface, "up");
        customer.IsCut = false;
    }

    // An operator's way to a customer's service from the vendor's side: a tunnel listening on the vendor's
    // loopback whose connections open inside the customer's namespace (as an SSH tunnel the customer opens
    // outbound would), so they never cross the router and never count as the vendor dialling in.
    public NamespaceRelay OpenOperatorTunnel(CustomerSite customer, int port) =>
        new(Vendor, new IPEndPoint(IPAddress.Loopback, 0), customer.Namespace, new IPEndPoint(customer.Address, port), WanProfile.Clean);

    public async Task<FirewallCounters> CountersAsync() => new(
        await PacketsAsync(Vendor, "dials_into_customers"),
        await PacketsAsync(Router, "vendor_to_customer"),
        await PacketsAsync(Router, "customer_to_vendor"));

    public async ValueTask DisposeAsync()
    {
        foreach (var customer in Customers)
            if (customer.Wan is not null) await customer.Wan.DisposeAsync();
        foreach (var space in _namespaces) space.Close();
        await DeleteAsync(_namespaces.Select(n => n.Name));
    }

    private NetworkNamespace Add(NetworkNamespace space)
    {
        _namespaces.Add(space);
        return space;
    }

    private async Task BuildAsync(WanProfile wan)
    {
        // One batch in the root namespace: the namespaces, and veth pairs born inside them (never in the host's).
        var root = new StringBuilder();
        foreach (var space in _namespaces) root.AppendLine($"netns add {space.Name}");
        root.AppendLine($"link add name uplink netns {Vendor.Name} type veth peer name vendor netns {Router.Name}");
        foreach (var c in Customers)
            root.AppendLine($"link add name uplink netns {c.Namespace.Name} type veth peer name {c.RouterInterface} netns {Router.Name}");
        await BatchAsync(null, root.ToString());
        foreach (var space in _namespaces) Directory.CreateDirectory(space.EtcDirectory);

        var router = new StringBuilder("link set lo up\n")
            .AppendLine($"addr add {RouterVendorAddress}/24 dev vendor").AppendLine("link set vendor up");
        foreach (var c in Customers) router.AppendLine($"addr add {c.Gateway}/24 dev {c.RouterInterface}").AppendLine($"link set {c.RouterInterface} up");
        var setup = new List<Task>
        {
            BatchAsync(Router, router.ToString()),
            BatchAsync(Vendor, $"link set lo up\naddr add {VendorAddress}/24 dev uplink\nlink set uplink up\nroute add 10.200.0.0/16 via {RouterVendorAddress}\n"),
        };
        setup.AddRange(Customers.Select(c => BatchAsync(c.Namespace,
            $"link set lo up\naddr add {c.Address}/24 dev uplink\nlink set uplink up\nroute add default via {c.Gateway}\n")));
        await Task.WhenAll(setup);

        // Forwarding is a per-namespace sysctl: set inside the router, the host's own stays as it is.
        await Router.RunAsync("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
        await LoadRulesAsync(Router, RouterRules());
        await LoadRulesAsync(Vendor, VendorRules());
        await File.WriteAllTextAsync(Path.Combine(Vendor.EtcDirectory, "hosts"),
            $"127.0.0.1 localhost\n{VendorAddress} {ManagerHostName} vendor\n");

        var manager = new IPEndPoint(VendorAddress, ManagerPort);
        await Task.WhenAll(Customers.Select(async c =>
        {
            c.Wan = new NamespaceRelay(c.Namespace, new IPEndPoint(IPAddress.Loopback, 0), c.Namespace, manager, wan, RelayMark);
            await LoadRulesAsync(c.Namespace, CustomerRules(c.Wan.Endpoint.Port));
            await File.WriteAllTextAsync(Path.Combine(c.Namespace.EtcDirectory, "hosts"),
                $"127.0.0.1 localhost\n{c.Address} {c.HostName}\n{VendorAddress} {ManagerHostName}\n");
        }));
    }

    private static string RouterRules() => """
        table inet lab {
          counter vendor_to_customer {}
          counter customer_to_vendor {}
          chain forward {
            type filter hook forward priority 0; policy drop;
            ct state established,related accept
            iifname "c*" oifname "vendor" ct state new counter name customer_to_vendor accept
            iifname "vendor" ct state new counter name vendor_to_customer drop
          }
        }
        """;

    private static string VendorRules() => """
        table inet lab {
          counter dials_into_customers {}
          chain output {
            type filter hook output priority 0; policy accept;
            ip daddr 10.200.0.0/16 ct state new counter name dials_into_customers
          }
        }
        """;

    // The node's connections to the manager go to the WAN relay on the customer's loopback instead.
    private static string CustomerRules(int relayPort) => $$"""
        table ip wan {
          chain output {
            type nat hook output priority -100;
            meta mark != {{RelayMark}} ip daddr {{VendorAddress}} tcp dport {{ManagerPort}} redirect to :{{relayPort}}
          }
        }
        """;

    private static async Task LoadRulesAsync(NetworkNamespace space, string rules)
    {
        // Not under /etc/netns/<ns>: `ip netns exec` bind-mounts every file there over /etc.
        var file = Path.Combine(Path.GetTempPath(), $"{space.Name}-{Guid.NewGuid():N}.nft");
        await File.WriteAllTextAsync(file, rules + "\n");
        try { await space.RunAsync("nft", "-f", file); }
        finally { File.Delete(file); }
    }

    private static async Task<long> PacketsAsync(NetworkNamespace space, string counter)
    {
        var text = await space.RunAsync("nft", "list", "counter", "inet", "lab", counter);
        var match = PacketsPattern().Match(text);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"no packet count in `nft list counter inet lab {counter}` of {space}: {text}");
    }

    private static async Task BatchAsync(NetworkNamespace? space, string commands)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{Family}{Environment.ProcessId}-{Guid.NewGuid():N}.ip");
        await File.WriteAllTextAsync(file, commands);
        try
        {
            string[] arguments = space is null ? ["-batch", file] : ["-n", space.Name, "-batch", file];
            await ChildProcess.OutputOfAsync("ip", arguments, TimeSpan.FromSeconds(60));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task DeleteAsync(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            try { await ChildProcess.RunAsync(new ProcessSpec("ip", ["netns", "delete", name]) { InheritEnvironment = true }, TimeSpan.FromSeconds(20)); }
            catch (TimeoutException) { }
            try { Directory.Delete(Path.Combine("/etc/netns", name), recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }

    // Namespaces of this family whose test host (the pid in the name) is gone: a crashed run's leftovers.
    private static async Task DeleteStaleAsync()
    {
        var listed = await ChildProcess.OutputOfAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(20));
        var names = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split(' ')[0])
            .Concat(Directory.Exists("/etc/netns") ? Directory.GetDirectories("/etc/netns").Select(Path.GetFileName).OfType<string>() : [])
            .Distinct();
        var stale = names.Where(n => OwnerPattern().Match(n) is { Success: true } m && !Directory.Exists($"/proc/{m.Groups[1].Value}")).ToList();
        await DeleteAsync(stale);
    }

    private static async Task<string?> ProbeAsync()
    {
        if (!OperatingSystem.IsLinux()) return "network namespaces need Linux";
        if (!Environment.IsPrivilegedProcess) return "creating network namespaces needs root (run the tests as root, as CI does)";
        foreach (var tool in new[] { "ip", "nft" })
            if (!OnPath(tool)) return $"`{tool}` is not installed (bash scripts/install-prerequisites.sh installs iproute2 and nftables)";
        var probe = $"{Family}{Environment.ProcessId}-probe";
        try
        {
            var run = await ChildProcess.RunAsync(new ProcessSpec("ip", ["netns", "add", probe]) { InheritEnvironment = true }, TimeSpan.FromSeconds(20));
            if (run.ExitCode != 0) return $"`ip netns add` failed: {run.Error.Trim()}";
            var nft = await ChildProcess.RunAsync(new ProcessSpec("ip", ["netns", "exec", probe, "nft", "list", "ruleset"]) { InheritEnvironment = true },
                TimeSpan.FromSeconds(20));
            return nft.ExitCode == 0 ? null : $"nftables does not work inside a namespace: {nft.Error.Trim()}";
        }
        finally
        {
            await DeleteAsync([probe]);
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Concat(["/usr/sbin", "/sbin"]).Any(dir => File.Exists(Path.Combine(dir, tool)));

    [GeneratedRegex(@"packets (\d+)")]
    private static partial Regex PacketsPattern();

    [GeneratedRegex(@"^ornet-(\d+)-")]
    private static partial Regex OwnerPattern();
}
