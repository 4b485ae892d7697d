using Orchestrator.Agent.Connection;
using Orchestrator.Agent.Fencing;
using Orchestrator.Agent.Runtime;

namespace Orchestrator.Agent.Extensions;

public static class FencingExtensions
{
    public static WebApplicationBuilder AddLeaseFencing(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FencingTelemetry>();
        builder.Services.AddSingleton<ILeaseClock>(sp => sp.GetRequiredService<ConnectionState>());
        builder.Services.AddSingleton<LeaseFence>();
        builder.Services.AddSingleton<IAgentFence>(sp => sp.GetRequiredService<LeaseFence>());
        builder.Services.AddHostedService<LeaseFenceService>();
        builder.Services.AddHealthChecks().AddCheck<FencingHealthCheck>(FencingHealthCheck.Name);
        return builder;
    }
}
