using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Manager.Liveness;

// Degraded (not unhealthy: the Redis check already says when Redis is down) while passes fail.
public sealed class LivenessHealthCheck(LivenessState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var role = state.IsLeader ? "leader: runs the liveness monitor" : "standby: another replica holds the liveness lease";
        return Task.FromResult(state.LastError is { } error
            ? HealthCheckResult.Degraded($"last liveness pass failed: {error}")
            : HealthCheckResult.Healthy(state.LastPassAt is null ? "starting" : role));
    }
}
