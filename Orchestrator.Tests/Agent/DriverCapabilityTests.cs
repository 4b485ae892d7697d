using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Connection;
using Orchestrator.Agent.Readings;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Agent.Workloads.Process;
using Orchestrator.Agent.Workloads.Trading;

namespace Orchestrator.Tests.Agent;

// A node advertises what its workload drivers can run, not what AGENT_CONFIG says alone.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class DriverCapabilityTests
{
    // A driver whose engine the test switches on and off.
    private sealed class EngineDriver : IWorkloadDriver
    {
        public volatile bool Answers;

        public string Name => "container";

        public ValueTask<DriverFingerprint> FingerprintAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(Answers ? DriverFingerprint.Ready("engine answers") : DriverFingerprint.Unusable(DriverFingerprint.EngineDown + ": test"));

        public Task<IWorkloadHandle> StartAsync(AgentDefinition agent, WorkloadEvents events, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private static (HeartbeatComposer Composer, DriverFingerprints Fingerprints, EngineDriver Engine) Node(string[] capabilities, string[] allowedCommands)
    {
        var time = TimeProvider.System;
        var runtime = new RuntimeOptions { AllowedCommands = [.. allowedCommands] };
        var engine = new EngineDriver();
        var drivers = new WorkloadDrivers([
            new TradingDriver(time, new TradingTelemetry(RuntimeHarness.Meters), NullLogger<TradingAgent>.Instance),
            new ProcessDriver(Options.Create(runtime), time), engine]);
        var fingerprints = new DriverFingerprints(drivers, time, NullLogger<DriverFingerprints>.Instance);
        var node = Options.Create(new NodeOptions { Capabilities = [.. capabilities] });
        var composer = new HeartbeatComposer(node, new ResourceSampler(time), RuntimeHarness.Supervisor(time, runtime), new ConnectionState(), fingerprints,
            Options.Create(new ManagerConnectionOptions()));
        return (composer, fingerprints, engine);
    }

    [Fact]
    public async Task ProcessIsNotAdvertisedWhileAllowedCommandsIsEmptyEvenWhenAgentConfigOffersIt()
    {
        var (composer, fingerprints, _) = Node(["agent_runner", "process", "orchestrator_cluster"], []);
        await fingerprints.RefreshAsync(default);
        Assert.Equal(["agent_runner", "orchestrator_cluster"], composer.Capabilities());
        Assert.Equal(["agent_runner", "orchestrator_cluster"], composer.Registration().Capabilities);

        var (allowed, allowedFingerprints, _) = Node(["agent_runner", "process", "orchestrator_cluster"], ["/bin/echo"]);
        await allowedFingerprints.RefreshAsync(default);
        Assert.Equal(["agent_runner", "process", "orchestrator_cluster"], allowed.Capabilities());
    }

    [Fact]
    public async Task ContainerIsAdvertisedOnlyWhileItsEngineAnswersAndTheChangeIsSignalled()
    {
        var (composer, fingerprints, engine) = Node(["agent_runner", "container"], []);
        await fingerprints.RefreshAsync(default);
        Assert.Equal(["agent_runner"], composer.Capabilities());
        var health = await new DriverHealthCheck(fingerprints).CheckHealthAsync(new());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, health.Status);
        Assert.Contains("container", health.Description);

        var changes = 0;
        composer.CapabilitiesChanged += () => Interlocked.Increment(ref changes);
        engine.Answers = true;
        await fingerprints.RefreshAsync(default);
        Assert.Equal(["agent_runner", "container"], composer.Capabilities());
        Assert.Equal(1, changes);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, (await new DriverHealthCheck(fingerprints).CheckHealthAsync(new())).Status);

        engine.Answers = false;
        await fingerprints.RefreshAsync(default);
        Assert.Equal(["agent_runner"], composer.Capabilities());
        Assert.Equal(2, changes);
    }

    [Fact]
    public async Task WithoutAnAgentConfigListTheNodeAdvertisesWhatItsDriversCanRun()
    {
        var (composer, fingerprints, engine) = Node([], []);
        engine.Answers = true;
        await fingerprints.RefreshAsync(default);
        Assert.Equal(["agent_runner", "container"], composer.Capabilities().Order(StringComparer.Ordinal));
    }
}
