using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Orchestrator.AppHost.Extensions;

public static class OrchestratorResourceExtensions
{
    // Each orchestrator gets the seed's variables as a separate customer installation would.
    public static IDistributedApplicationBuilder AddOrchestrators(
        this IDistributedApplicationBuilder builder,
        IResourceBuilder<ProjectResource> manager,
        SharedSecrets secrets,
        LocalContainerEngine? engine = null)
    {
        var count = builder.Configuration.GetValue("Orchestrators:Count", 3);
        var maxAgents = builder.Configuration.GetValue("Orchestrators:MaxAgents", 10);
        var heartbeatSeconds = builder.Configuration.GetValue("Orchestrators:HeartbeatInterval", 30);
        // Empty by default: orchestrators refuse every `process` agent unless the operator allows a program.
        var allowedCommands = builder.Configuration["Orchestrators:AllowedCommands"] ?? "";
        // Tests point this at a temp directory so no state file outlives them.
        var dataRoot = builder.Configuration["Orchestrators:DataDirectory"] ?? ".data";
        if (count < 1) throw new InvalidOperationException($"Orchestrators:Count must be at least 1, got {count}.");
        // The bootstrap token enrolls exactly the local orchestrator_ids, no other customer.
        manager.WithEnvironment("BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS", string.Join(",", Enumerable.Range(1, count)));
        if (maxAgents > 100) manager.WithEnvironment("Manager__BootstrapMaxAgents", maxAgents.ToString(CultureInfo.InvariantCulture));

        for (var id = 1; id <= count; id++)
        {
            var agentConfig = $$"""{"capabilities":["agent_runner","orchestrator_cluster"],"max_agents":{{maxAgents}},"orchestrator_id":{{id}}}""";
            var name = $"orchestrator-{id}";
            var port = 8000 + id;
            var orchestrator = builder.AddProject<Projects.Orchestrator_Agent>(name)
                .WithHttpEndpoint(port: port)
                .WithReference(manager)
                .WaitFor(manager)
                .WithEnvironment("ORCHESTRATOR_ID", id.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("AGENT_ID", name + "-agent")
                .WithEnvironment("AGENT_TYPE", "orchestrator_cluster")
                .WithEnvironment("CONTAINER_NAME", name + "-cluster")
                .WithEnvironment("EXTERNAL_IP", "127.0.0.1")
                // The port the manager and operators reach (Aspire's proxy); the process itself listens where Aspire says.
                .WithEnvironment("AGENT_PORT", port.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("AUTO_REGISTER", "true")
                .WithEnvironment("HEARTBEAT_INTERVAL", heartbeatSeconds.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("AGENT_CONFIG", agentConfig)
                .WithEnvironment("CENTRAL_MANAGER_URL", manager.GetEndpoint("http"))
                .WithEnvironment("ENROLLMENT_TOKEN", secrets.BootstrapEnrollmentToken)
                // Loopback in development; a remote manager is reached over https (docs/deployment.md).
                .WithEnvironment("ALLOW_INSECURE_TRANSPORT", "true")
                .WithEnvironment("DATA_DIR", Path.Combine(dataRoot, name))
                .WithHttpHealthCheck("/health");
            if (allowedCommands.Length > 0) orchestrator.WithEnvironment("ALLOWED_COMMANDS", allowedCommands);
            // The node's container driver reaches the engine there; it advertises `container` only while it answers.
            if (engine?.DockerHost is { } dockerHost) orchestrator.WithEnvironment("DOCKER_HOST", dockerHost);
        }
        return builder;
    }
}
