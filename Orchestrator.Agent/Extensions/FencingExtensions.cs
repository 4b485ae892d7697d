using Orchestrator.Agent.Fencing;

namespace Orchestrator.Agent.Extensions;

public static class FencingExtensions
{
    public static WebApplicationBuilder AddLeaseFencing(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FencingTelemetry>();
        builder.Services.AddSingleton<LeaseFence>();
        builder.Services.AddHostedService<LeaseFenceService>();
        builder.Services.AddHealthChecks().AddCheck<FencingHealthCheck>(FencingHealthCheck.Name);
        return builder;
    }
}
