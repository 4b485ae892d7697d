using Orchestrator.Agent.Agents.Process;
using Orchestrator.Agent.Agents.Trading;
using Orchestrator.Agent.Readings;
using Orchestrator.Agent.Runtime;

namespace Orchestrator.Agent.Extensions;

public static class AgentRuntimeExtensions
{
    public static WebApplicationBuilder AddAgentRuntime(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IAgentType, TradingAgentType>();
        services.AddSingleton<IAgentType, ProcessAgentType>();
        services.AddSingleton<AgentTypeRegistry>();
        services.AddSingleton<TradingTelemetry>();
        services.AddSingleton<RuntimeTelemetry>();
        services.AddSingleton(sp => new ResourceSampler(sp.GetRequiredService<TimeProvider>()));

        // Supervisor first: hosted services stop in reverse order, so agents are stopped last.
        services.AddSingleton<AgentSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentSupervisor>());
        services.AddSingleton<DesiredStateStore>();
        services.AddSingleton<DesiredStateCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<DesiredStateCoordinator>());
        return builder;
    }
}
