using System.Text.Json.Nodes;
using Orchestrator.Tests.Validation;
using Orchestrator.Validation;
using Orchestrator.Validation.Http;
using Orchestrator.Validation.Phases;
using Orchestrator.Validation.Running;

namespace Orchestrator.Tests.Network;

// The seed's six validation phases with the manager and each node on networks of their own. The validation
// runs from the vendor's namespace; it reads each node's local API through an operator's tunnel whose
// connections open inside the customer's namespace (as the customer's own operator would), never by dialling
// from the vendor into a customer network, which the router forbids and counts.
[Collection(NetworkCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Network)]
public sealed class CrossNetworkValidationTests
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task TheSixSeedPhasesPassFromTheVendorNamespaceAcrossTheWanWithoutAnyConnectionIntoACustomerNetwork()
    {
        await NetworkTier.RequireNamespacesAsync();
        await using var cluster = await NetworkCluster.StartAsync(new() { Customers = 2 });
        var tunnels = cluster.Nodes.Select(n => cluster.Lab.OpenOperatorTunnel(n.Customer, NetworkLab.NodePort)).ToList();
        try
        {
            var targets = cluster.Nodes.Zip(tunnels, (node, tunnel) =>
                new OrchestratorTarget(node.Index, new Uri($"http://{tunnel.Endpoint}"), node.DataDirectory)).ToList();

            // The manager lists them healthy a moment before each node's own /health says so (its next beat over
            // the WAN): the seed's phases check /health once, so wait for every node to say it first.
            foreach (var target in targets)
            {
                var node = new OrchestratorClient(new JsonHttp(cluster.VendorHttp), target);
                await cluster.WaitAsync(async () => (await node.HealthAsync(CancellationToken.None)).Status == "healthy",
                    PhaseTimeout, $"orchestrator_{target.Number} to report itself healthy");
            }

            // The phases in the test host, with sockets in the vendor's namespace, given the manager's process to kill.
            var outage = new LabManagerOutage(cluster.Manager);
            var settings = new ValidationSettings(NetworkLab.ManagerUrlByAddress, targets, NetworkCluster.AdminPassword, PhaseTimeout);
            var summary = await ValidationRunner.RunAsync(ValidationRunner.SeedPhases(2),
                new PhaseContext(settings, cluster.VendorHttp, TimeProvider.System, outage), CancellationToken.None);
            Assert.True(summary.PhasesPassed == 6,
                string.Join('\n', summary.Phases.Where(p => !p.Passed).Select(p => $"{p.Phase}: {string.Join("; ", p.Failures)}")) + "\n" + await cluster.DescribeAsync());
            Assert.True(outage.Restarted, "orchestrator_autonomy did not stop and restart the manager");

            // The operator's command, as a process inside the vendor's namespace, naming the manager by its host name.
            var run = await ChildProcess.RunAsync(cluster.Lab.Vendor.Wrap(ProcessSpec.Project(Path.Combine("tools", "Orchestrator.Validation"),
            [
                "--manager-url", NetworkLab.ManagerUrlByName.ToString(),
                .. targets.SelectMany(t => new[] { "--orchestrator-url", t.Url.ToString() }),
                "--timeout", "60",
            ]) with { Name = "validation CLI", Environment = new Dictionary<string, string> { ["ADMIN_PASSWORD"] = NetworkCluster.AdminPassword } }),
                ValidationCli.RunDeadline);
            Assert.True(run.ExitCode == 0, $"{run}\n{await cluster.DescribeAsync()}");
            Assert.Equal("6/6 phases passed", (string?)JsonNode.Parse(run.Output)!["result"]);

            await NetworkTier.AssertOutboundOnlyAsync(cluster);
        }
        finally
        {
            foreach (var tunnel in tunnels) await tunnel.DisposeAsync();
        }
    }

    // orchestrator_autonomy's outage: kill -9 of the manager in the vendor's namespace, then a new process.
    private sealed class LabManagerOutage(LabService manager) : IManagerOutage
    {
        public bool Restarted { get; private set; }

        public Task StopManagerAsync(CancellationToken cancellationToken)
        {
            manager.Kill();
            return Task.CompletedTask;
        }

        public async Task StartManagerAsync(CancellationToken cancellationToken)
        {
            await manager.StartAsync();
            Restarted = manager.IsRunning;
        }
    }
}
