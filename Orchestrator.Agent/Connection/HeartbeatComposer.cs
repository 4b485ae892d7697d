using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Readings;
using Orchestrator.Agent.Runtime;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Connection;

// Builds the registration and heartbeat bodies from the seed's settings, real readings and the agents.
public sealed class HeartbeatComposer(
    IOptions<NodeOptions> node, ResourceSampler sampler, AgentSupervisor supervisor, ConnectionState state, DriverFingerprints drivers,
    IOptions<ManagerConnectionOptions> connection)
{
    // issue 27: this build, and the protocol it speaks (Manager:ProtocolVersion overrides it only in tests).
    public static readonly string NodeVersion = NodeProtocol.VersionOf(typeof(HeartbeatComposer).Assembly);

    public int ProtocolVersion => connection.Value.ProtocolVersion ?? NodeProtocol.Current;

    public RegisterContainerRequest Registration()
    {
        var options = node.Value;
        var reading = sampler.Sample();
        return new RegisterContainerRequest(
            options.EffectiveContainerName,
            options.ExternalIp,
            options.Port,
            Capabilities(),
            new ContainerResources(reading.CpuCount, reading.MemoryLimit).ToJson(),
            new ContainerMetadata(options.OrchestratorId, options.AgentId, options.AgentType).ToJson(),
            options.MaxAgents,
            NodeVersion,
            ProtocolVersion);
    }

    // What the node can run. AGENT_CONFIG's capabilities are what its operator offers (an enrollment token may bound
    // them, so the node never claims more); of those, any that only a driver unusable here gives is left out: `process`
    // while ALLOWED_COMMANDS is empty, `container` while the engine does not answer. Without an AGENT_CONFIG list,
    // the usable drivers' capabilities.
    public IReadOnlyList<string> Capabilities()
    {
        var (usable, unusable) = drivers.Capabilities();
        var offered = node.Value.Capabilities;
        return offered.Count == 0 ? usable : [.. offered.Where(c => !unusable.Contains(c)).Distinct(StringComparer.Ordinal)];
    }

    // Fires when the drivers' fingerprints change what the node can run.
    public event Action? CapabilitiesChanged
    {
        add => drivers.Changed += value;
        remove => drivers.Changed -= value;
    }

    public HeartbeatRequest Heartbeat(string containerId)
    {
        var reading = sampler.Sample();
        var agents = supervisor.Agents();
        return new HeartbeatRequest(
            containerId,
            HealthScore.Compute(reading, supervisor.RecentFailures()),
            new HeartbeatResources(reading.CpuCount, reading.CpuPercent, reading.MemoryUsed, reading.MemoryLimit, reading.ProcessCount).ToJson(),
            agents.Count(a => a.IsActive),
            agents.Select(a => a.ToReported()).ToList().ToJson(),
            state.LastRoundTrip?.TotalMilliseconds, state.FailedCalls,
            NodeVersion,
            ProtocolVersion);
    }
}
