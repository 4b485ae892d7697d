using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Orchestrator.Protocol;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Tests.Network;

// A customer whose only way out is an HTTP proxy (Debian's tinyproxy, in the customer's namespace, as user nobody):
// the customer's firewall drops every connection toward the manager that does not come from the proxy. The node,
// given HTTP_PROXY (and HTTPS_PROXY, NO_PROXY) as a customer sets them, enrolls, registers, heartbeats and runs a
// deploy through it, rides out a link cut behind it, and nobody dials in.
[Collection(NetworkCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Network)]
public sealed partial class ProxyTests
{
    private const int ProxyPort = 8888;
    private const int NobodyUid = 65534;

    [SkippableFact]
    public async Task WithAProxyAsTheOnlyWayOutTheNodeRegistersRunsADeployAndComesBackAfterALinkCutThroughItAndNobodyDialsIn()
    {
        await NetworkTier.RequireNamespacesAsync();
        Skip.If(!File.Exists("/usr/bin/tinyproxy"), "network tier proxy scenario skipped: tinyproxy is not installed (scripts/install-prerequisites.sh)");
        var proxyUrl = $"http://127.0.0.1:{ProxyPort}";
        await using var cluster = await NetworkCluster.StartAsync(new()
        {
            Customers = 1,
            StartManager = false,
            NodeEnvironment = { ["HTTP_PROXY"] = proxyUrl, ["HTTPS_PROXY"] = proxyUrl, ["NO_PROXY"] = "localhost,127.0.0.1" },
        });
        var node = cluster.Nodes[0];
        var customer = node.Customer;

        var config = Path.Combine(Path.GetTempPath(), $"tinyproxy-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, $"""
            Port {ProxyPort}
            Listen 127.0.0.1
            Timeout 600
            MaxClients 100
            Allow 127.0.0.1
            User nobody
            Group nogroup
            LogLevel Info

            """);
        await using var proxy = ChildProcess.Start(customer.Namespace.Wrap(new ProcessSpec("/usr/bin/tinyproxy", ["-d", "-c", config])) with { Name = "tinyproxy" });
        try
        {
            // Connections toward the manager go to the customer's WAN relay (NetworkLab's redirect); only the proxy's may.
            var rules = Path.Combine(Path.GetTempPath(), $"proxy-only-{Guid.NewGuid():N}.nft");
            await File.WriteAllTextAsync(rules, $$"""
                table inet proxyonly {
                  counter direct_to_manager {}
                  chain output {
                    type filter hook output priority 0; policy accept;
                    ip daddr 127.0.0.1 tcp dport {{customer.Wan.Endpoint.Port}} meta skuid != {{NobodyUid}} counter name direct_to_manager drop
                  }
                }

                """);
            await customer.Namespace.RunAsync("nft", "-f", rules);
            File.Delete(rules);

            await cluster.Manager.StartAsync();
            await cluster.WaitAllHealthyAsync(NetworkTier.Deadline);
            var agent = (await cluster.DeployRunningAsync("keep", 1)).Single();
            Assert.Equal(node, agent.Host);

            Assert.Contains($"go through the proxy {proxyUrl}/", node.Log);
            var requests = proxy.Log;
            Assert.Contains("/api/v1/cluster/enroll", requests);
            Assert.Contains("/heartbeat", requests);
            Assert.Contains("/assignments", requests);
            Assert.Equal(0, await DirectAsync(customer));

            // A link cut behind the proxy: the node sees the manager unreachable, keeps its agent, and comes back
            // through the proxy once the line is up.
            await cluster.Lab.CutAsync(customer);
            await cluster.WaitAsync(async () => (await node.HealthAsync()).Contains("manager unreachable", StringComparison.Ordinal),
                NetworkTier.Deadline, "the node behind the proxy to report the manager unreachable");
            await cluster.Lab.RestoreAsync(customer);
            var restored = DateTimeOffset.UtcNow;
            await cluster.WaitAsync(async () => (await cluster.ContainerAsync(node)) is { Status: ContainerStatus.Healthy } c && c.LastHeartbeat > restored,
                NetworkTier.Deadline, "the node to heartbeat through the proxy again after the cut");
            Assert.Contains(agent.AgentId, await node.RunningAgentIdsAsync());
            Assert.Equal(0, await DirectAsync(customer));

            // The rule bites: a connection toward the manager from anyone but the proxy is dropped, and counted.
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Assert.ThrowsAnyAsync<Exception>(async () =>
                (await customer.Namespace.ConnectAsync(new IPEndPoint(NetworkLab.VendorAddress, NetworkLab.ManagerPort), probe.Token)).Dispose());
            Assert.True(await DirectAsync(customer) > 0, "the proxy-only rule counted nothing, so its zero above proves nothing");

            await NetworkTier.AssertOutboundOnlyAsync(cluster);
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static async Task<long> DirectAsync(CustomerSite customer)
    {
        var listed = await customer.Namespace.RunAsync("nft", "list", "counter", "inet", "proxyonly", "direct_to_manager");
        return long.Parse(Packets().Match(listed).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"packets (\d+)")]
    private static partial Regex Packets();
}
