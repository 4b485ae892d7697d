using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Orchestrator.AppHost.Extensions;

public static class OrchestratorResourceExtensions
{
    // Each orchestrator gets the seed's variables as a separate customer installation would.
    public static IDistributedApplicationBuilder AddOrchestrators(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ProjectResource> manager,
        SharedSecrets secrets)
    {
        var count = builder.Configuration.GetValue("Orchestrators:Count", 3);
        var maxAgents = builder.Configuration.GetValue("Orchestrators:MaxAgents", 10);
        if (count < 1) throw new InvalidOperationException($"Orchestrators:Count must be at least 1, got {count}.");

        for (var id = 1; id <= count; id++)
        {
            var agentConfig = $$"""{"capabilities":["agent_runner","orchestrator_cluster"],"max_agents":{{maxAgents}},"orchestrator_id":{{id}}}""";
            var name = $"orchestrator-{id}";
            builder.AddProject<Projects.Orchestrator_Agent>(name)
                .WithHttpEndpoint(port: 8000 + id)
                .WithReference(manager)
                .WaitFor(manager)
                .WithEnvironment("ORCHESTRATOR_ID", id.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("AGENT_ID", name + "-agent")
                .WithEnvironment("AGENT_TYPE", "orchestrator_cluster")
                .WithEnvironment("CONTAINER_NAME", name + "-cluster")
                .WithEnvironment("EXTERNAL_IP", "127.0.0.1")
                .WithEnvironment("AGENT_CONFIG", agentConfig)
                .WithEnvironment("CENTRAL_MANAGER_URL", manager.GetEndpoint("http"))
                .WithEnvironment("ADMIN_PASSWORD", secrets.AdminPassword)
                .WithEnvironment("DATA_DIR", Path.Combine(".data", name))
                .WithHttpHealthCheck("/health");
        }
        return builder;
    }
}
