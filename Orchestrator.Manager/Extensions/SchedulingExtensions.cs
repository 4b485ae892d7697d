using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Scheduling;

namespace Orchestrator.Manager.Extensions;

public static class SchedulingExtensions
{
    public static WebApplicationBuilder AddAgentScheduling(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SchedulingOptions>, SchedulingOptionsValidator>();
        builder.Services.AddSingleton<AgentStore>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<CommunicationStore>();
        builder.Services.AddSingleton<SchedulingTelemetry>();
        builder.Services.AddSingleton<PlacementCandidates>();
        builder.Services.AddSingleton<AgentPlacer>();
        builder.Services.AddSingleton<AgentScheduler>();
        builder.Services.AddSingleton<AssignmentNotifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AssignmentNotifier>());
        return builder;
    }
}
