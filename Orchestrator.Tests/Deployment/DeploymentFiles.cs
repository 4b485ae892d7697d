using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

// The deployment kit's files, where the repository keeps them.
public static class DeploymentFiles
{
    public static string CentralCompose => Path.Combine(RepoPaths.Root, "docker-compose.central.yml");
    public static string OrchestratorCompose => Path.Combine(RepoPaths.Root, "docker-compose.orchestrator.yml");
    public static string EnvExample => Path.Combine(RepoPaths.Root, ".env.orchestrator.example");
    public static string ManagerDockerfile => Path.Combine(RepoPaths.Root, "Dockerfile");
    public static string AgentDockerfile => Path.Combine(RepoPaths.Root, "Dockerfile.agent");
    public static string DeployScript => Path.Combine("scripts", "deploy-orchestrator.sh");
    public static string KitScript => Path.Combine("scripts", "make-orchestrator-kit.sh");

    public const string ManagerService = "central-manager";
    public const string OrchestratorService = "orchestrator-agent";

    // The central compose file evaluated as `docker compose` would, with the given secrets.
    public static IReadOnlyDictionary<string, string> ManagerEnvironment(IReadOnlyDictionary<string, string> variables) =>
        ComposeFile.Load(CentralCompose).Environment(ManagerService)
            .ToDictionary(e => e.Key, e => ComposeInterpolation.Evaluate(e.Value, variables));

    public static IReadOnlyDictionary<string, string> OrchestratorEnvironment(IReadOnlyDictionary<string, string> variables) =>
        ComposeFile.Load(OrchestratorCompose).Environment(OrchestratorService)
            .ToDictionary(e => e.Key, e => ComposeInterpolation.Evaluate(e.Value, variables));
}
