using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Manager.Recovery;

// Degraded while mass-disconnect safety holds rescheduling (the manager still serves everything else).
public sealed class ReschedulingHealthCheck(ReschedulingState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state switch
        {
            { Paused: true } => HealthCheckResult.Degraded($"rescheduling paused: {state.PauseReason}"),
            { LastPassAt: null } => HealthCheckResult.Healthy("standby: the liveness leader reschedules"),
            _ => HealthCheckResult.Healthy($"rescheduling active; {state.Moved} agents moved by this replica"),
        });
}
