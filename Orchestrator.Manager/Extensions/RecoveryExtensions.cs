using Orchestrator.Manager.Recovery;

namespace Orchestrator.Manager.Extensions;

public static class RecoveryExtensions
{
    // The rescheduler runs inside the liveness monitor's pass (same lease), so it is not a hosted service itself.
    public static WebApplicationBuilder AddRecovery(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReschedulingState>();
        builder.Services.AddSingleton<ReschedulingPause>();
        builder.Services.AddSingleton<RecoveryTelemetry>();
        builder.Services.AddSingleton<AgentMover>();
        builder.Services.AddSingleton<Rescheduler>();
        builder.Services.AddSingleton<ContainerDrains>();
        builder.Services.AddSingleton<AgentIndexRepair>();
        builder.Services.AddHealthChecks().AddCheck<ReschedulingHealthCheck>("rescheduling");
        return builder;
    }
}
