using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Agent.Fencing;

// Degraded (HTTP 200) while reschedule agents are held out: they wait for the manager to confirm them.
public sealed class FencingHealthCheck(LeaseFence fence) : IHealthCheck
{
    public const string Name = "lease-fencing";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var held = fence.Held;
        return Task.FromResult(held.Count == 0
            ? HealthCheckResult.Healthy("no agent fenced")
            : HealthCheckResult.Degraded($"{held.Count} reschedule agent(s) fenced: {held.Values.First()}"));
    }
}
