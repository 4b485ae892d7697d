using AgentSeed = Orchestrator.Agent.Extensions.NodeSeedEnvironment;
using ManagerSeed = Orchestrator.Manager.Extensions.SeedEnvironment;

namespace Orchestrator.Tests.Deployment;

// Every variable a compose file gives a service is one that service reads (its SeedEnvironment table),
// and every variable the service reads is given, unless listed here with the reason it is left out.
[Trait(TestLevel.Name, TestLevel.Deployment)]
public class ComposeAgreesWithOptionsTests
{
    // Read by ASP.NET Core itself rather than by our options (none today: TRUSTED_PROXIES replaced
    // ASPNETCORE_FORWARDEDHEADERS_ENABLED, which trusted X-Forwarded-For from anyone).
    private static readonly HashSet<string> PlatformVariables = [];

    private static readonly Dictionary<string, string> ManagerVariablesLeftOut = new()
    {
        ["BOOTSTRAP_ENROLLMENT_TOKEN"] = "for the local AppHost and first installs; production creates tokens through the admin API",
        ["BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS"] = "goes with BOOTSTRAP_ENROLLMENT_TOKEN",
        ["LOG_RETENTION_BYTES"] = "a tuning knob with a default sized in docs/benchmarks/capacity.md; not yet in the kit",
    };

    private static readonly Dictionary<string, string> OrchestratorVariablesLeftOut = new()
    {
        ["REDIS_URL"] = "accepted for the seed's sake but never used: orchestrators never reach Redis",
        ["ADMIN_PASSWORD"] = "the seed's shared-password flow: a kit never carries the admin password",
        ["ALLOW_SHARED_PASSWORD_NODES"] = "goes with ADMIN_PASSWORD: off in every kit",
        ["MANAGER_CA_FILE"] = "needs a mounted file: docs/deployment.md shows the override that adds it",
        ["DOCKER_HOST"] = "set by the docker-compose.engine.yml overlay, with the engine socket it mounts (docs/deployment.md)",
        ["REGISTRY_AUTH_FILE"] = "needs a mounted file of registry credentials: optional, docs/deployment.md",
        ["TRUSTED_SIGNING_KEYS"] = "set by the docker-compose.signing.yml overlay, with the vendor's keys file it mounts (make-orchestrator-kit.sh --trusted-keys)",
        ["SPEC_SIGNATURES"] = "set by the docker-compose.signing.yml overlay: require unless the customer chooses otherwise",
        ["ON_KEY_REVOKED"] = "set by the docker-compose.signing.yml overlay",
        ["LOG_BUFFER_MB"] = "a tuning knob with a default; not yet in the kit",
        ["LOG_SHIP_LINES_PER_SECOND"] = "a tuning knob with a default; not yet in the kit",
        ["MAX_LOCK_SECONDS"] = "a cap with a safe default (600 s); a customer lowers it in an override (README limits table)",
    };

    [Fact]
    public void EveryVariableTheCentralComposeSetsIsOneTheManagerReads()
    {
        var set = ComposeFile.Load(DeploymentFiles.CentralCompose).Environment(DeploymentFiles.ManagerService).Keys;
        Assert.Empty(set.Except(ManagerSeed.Variables.Keys).Except(PlatformVariables));
    }

    [Fact]
    public void EveryVariableTheManagerReadsIsSetByTheCentralCompose()
    {
        var set = ComposeFile.Load(DeploymentFiles.CentralCompose).Environment(DeploymentFiles.ManagerService).Keys;
        Assert.Empty(ManagerSeed.Variables.Keys.Except(set).Except(ManagerVariablesLeftOut.Keys));
    }

    [Fact]
    public void EveryVariableTheOrchestratorComposeSetsIsOneTheOrchestratorReads()
    {
        var set = ComposeFile.Load(DeploymentFiles.OrchestratorCompose).Environment(DeploymentFiles.OrchestratorService).Keys;
        Assert.Empty(set.Except(AgentSeed.OptionKeys.Keys).Except(PlatformVariables));
    }

    [Fact]
    public void EveryVariableTheOrchestratorReadsIsSetByItsCompose()
    {
        var set = ComposeFile.Load(DeploymentFiles.OrchestratorCompose).Environment(DeploymentFiles.OrchestratorService).Keys;
        Assert.Empty(AgentSeed.OptionKeys.Keys.Except(set).Except(OrchestratorVariablesLeftOut.Keys));
    }

    [Fact]
    public void VariablesLeftOutOnPurposeAreStillReadByTheServices()
    {
        // A stale entry here would hide a variable the compose file should set.
        Assert.Empty(ManagerVariablesLeftOut.Keys.Except(ManagerSeed.Variables.Keys));
        Assert.Empty(OrchestratorVariablesLeftOut.Keys.Except(AgentSeed.OptionKeys.Keys));
    }

    [Fact]
    public void EveryVariableTheEnvExampleSetsReachesTheComposeFileOrTheDeployScript()
    {
        var example = DotenvFile.Parse(DeploymentFiles.EnvExample);
        var compose = ComposeInterpolation.Variables(ComposeInterpolation.WithoutComments(File.ReadAllText(DeploymentFiles.OrchestratorCompose)));
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, DeploymentFiles.DeployScript));
        var unused = example.AllKeys.Where(key => !compose.Contains(key) && !script.Contains(key, StringComparison.Ordinal));
        Assert.Empty(unused);
    }

    [Fact]
    public void EveryVariableTheOrchestratorComposeReadsIsInTheEnvExample()
    {
        var example = DotenvFile.Parse(DeploymentFiles.EnvExample);
        var text = ComposeInterpolation.WithoutComments(File.ReadAllText(DeploymentFiles.OrchestratorCompose));
        Assert.Empty(ComposeInterpolation.Variables(text).Except(example.AllKeys));
        // Those compose cannot do without are set, not just shown in a comment.
        Assert.Empty(ComposeInterpolation.RequiredVariables(text).Except(example.Values.Keys));
    }

    [Fact]
    public void EnvExampleIsValidDotenvThatComposeCanEvaluate()
    {
        var example = DotenvFile.Parse(DeploymentFiles.EnvExample);
        Assert.Equal(["CENTRAL_MANAGER_HOST", "CENTRAL_MANAGER_SCHEME", "ENROLLMENT_TOKEN", "EXTERNAL_IP", "ORCHESTRATOR_ID"],
            example.Values.Keys.Order(StringComparer.Ordinal));
        var environment = DeploymentFiles.OrchestratorEnvironment(example.Values);
        var translated = AgentSeed.Translate(key => environment.GetValueOrDefault(key));
        Assert.DoesNotContain(translated, t => t.Key.StartsWith("Seed:Problems", StringComparison.OrdinalIgnoreCase));
    }
}
