using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Readings;
using Orchestrator.Agent.Runtime;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Connection;

// Builds the registration and heartbeat bodies from the seed's settings, real readings and the agents.
public sealed class HeartbeatComposer(IOptions<NodeOptions> node, ResourceSampler sampler, AgentSupervisor supervisor, ConnectionState state)
{
    public RegisterContainerRequest Registration()
    {
        var options = node.Value;
        var reading = sampler.Sample();
        return new RegisterContainerRequest(
            options.EffectiveContainerName,
            options.ExternalIp,
            options.Port,
            options.Capabilities,
            new ContainerResources(reading.CpuCount, reading.MemoryLimit).ToJson(),
            new ContainerMetadata(options.OrchestratorId, options.AgentId, options.AgentType).ToJson(),
            options.MaxAgents);
    }

    public HeartbeatRequest Heartbeat(string containerId)
    {
        var reading = sampler.Sample();
        var agents = supervisor.Agents();
        return new HeartbeatRequest(
            containerId,
            HealthScore.Compute(reading, supervisor.RecentFailures()),
            new HeartbeatResources(reading.CpuCount, reading.CpuPercent, reading.MemoryUsed, reading.MemoryLimit, reading.ProcessCount).ToJson(),
            agents.Count(a => a.State is AgentState.Running or AgentState.Starting),
            agents.Select(a => new HeartbeatAgent(a.AgentId, a.State.ToWire(), a.Epoch, a.Restarts, a.LastError)).ToList().ToJson(),
            state.LastRoundTrip?.TotalMilliseconds, state.FailedCalls);
    }
}
