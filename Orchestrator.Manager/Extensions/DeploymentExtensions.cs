using Orchestrator.Manager.Deployments;

namespace Orchestrator.Manager.Extensions;

public static class DeploymentExtensions
{
    // Deployments and rollouts (issue 25); the seed's deploy service lives beside them (it records each deploy as one).
    public static WebApplicationBuilder AddDeployments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DeployService>();
        builder.Services.AddSingleton<DeploymentStore>();
        builder.Services.AddSingleton<RolloutController>();
        builder.Services.AddSingleton<DeploymentOperations>();
        builder.Services.AddSingleton<AgentRestarter>();
        builder.Services.AddSingleton<DeploymentAgentRemover>();
        builder.Services.AddSingleton<CanariesBeside>();
        builder.Services.AddSingleton<RolloutState>();
        builder.Services.AddHostedService<RolloutMonitor>();
        builder.Services.AddHealthChecks().AddCheck<RolloutHealthCheck>("rollout-monitor");
        return builder;
    }
}
