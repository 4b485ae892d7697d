using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Agent.Connection;

// Degraded (still HTTP 200) while the manager is unreachable: the node stays up and its agents keep running.
public sealed class ConnectionHealthCheck(ConnectionState state) : IHealthCheck
{
    public const string Name = "manager-connection";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Link switch
        {
            ManagerLink.Connected => HealthCheckResult.Healthy($"registered as {state.ContainerId}"),
            ManagerLink.Disabled => HealthCheckResult.Healthy("AUTO_REGISTER is false: running without a manager"),
            ManagerLink.Connecting => HealthCheckResult.Degraded("registering with the manager"),
            _ => HealthCheckResult.Degraded($"manager unreachable ({state.LastFailure?.Kind}): {state.LastFailure?.Detail}"),
        });
}
