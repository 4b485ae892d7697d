using System.Text.Json.Nodes;
using Orchestrator.Manager.Extensions;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Tests.Deployment;

[Trait(TestLevel.Name, TestLevel.Deployment)]
public class ComposeFileTests
{
    private static readonly Dictionary<string, string> CentralSecrets = new()
    {
        ["REDIS_PASSWORD"] = "0123456789abcdef",
        ["JWT_SECRET"] = new string('j', 40),
        ["ADMIN_PASSWORD"] = "a-strong-admin-password",
        ["MASTER_SECRET_KEY"] = new string('m', 40),
    };

    private static readonly Dictionary<string, string> CustomerSettings = new()
    {
        ["ORCHESTRATOR_ID"] = "7",
        ["CENTRAL_MANAGER_HOST"] = "manager.vendor.test",
        ["EXTERNAL_IP"] = "198.51.100.7",
        ["ENROLLMENT_TOKEN"] = "0123456789ab.0123456789abcdef0123456789abcdef0123456789abcdef",
    };

    [Fact]
    public void CentralComposeIsValidYamlWithRedisAndTheManager()
    {
        var compose = ComposeFile.Load(DeploymentFiles.CentralCompose);
        Assert.Equal(["redis", DeploymentFiles.ManagerService], compose.ServiceNames);
        Assert.DoesNotContain("version", compose.TopLevelKeys); // obsolete in Compose v2, warned about
    }

    [Fact]
    public void RedisIsAppendOnlyPasswordProtectedAndNotPublished()
    {
        var compose = ComposeFile.Load(DeploymentFiles.CentralCompose);
        Assert.Equal(["redis-server", "/usr/local/etc/redis/redis.conf"], compose.List("redis", "command"));
        var config = ((YamlScalarNode)((YamlMappingNode)compose.Section("configs").Children[new YamlScalarNode("redis-conf")])
            .Children[new YamlScalarNode("content")]).Value!;
        var lines = ComposeInterpolation.Evaluate(config, new Dictionary<string, string> { ["REDIS_PASSWORD"] = "secret" }).Split('\n');
        Assert.Contains("appendonly yes", lines);
        Assert.Contains("requirepass secret", lines);
        Assert.False(compose.Service("redis").Children.ContainsKey(new YamlScalarNode("ports")), "Redis must not be published");
        Assert.Contains(compose.List("redis", "volumes"), v => v.EndsWith(":/data", StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyTheManagersPortIsPublished()
    {
        var compose = ComposeFile.Load(DeploymentFiles.CentralCompose);
        var ports = compose.List(DeploymentFiles.ManagerService, "ports");
        Assert.Equal(["0.0.0.0:8000:8000"], ports.Select(p => ComposeInterpolation.Evaluate(p, new Dictionary<string, string>())));
    }

    [Fact]
    public void ManagerReachesRedisWithThePasswordThroughRedisUrl()
    {
        var environment = DeploymentFiles.ManagerEnvironment(CentralSecrets);
        Assert.Equal("redis://:0123456789abcdef@redis:6379", environment["REDIS_URL"]);
        // Parsed by the manager's own REDIS_URL translation, as it will be in the container.
        Assert.Equal("redis:6379,password=0123456789abcdef", RedisUrl.ToConnectionString(environment["REDIS_URL"]));
    }

    [Fact]
    public void CentralComposeRefusesToStartWithoutEverySecret()
    {
        var text = ComposeInterpolation.WithoutComments(ComposeFile.Load(DeploymentFiles.CentralCompose).Text);
        Assert.Equal(["ADMIN_PASSWORD", "JWT_SECRET", "MASTER_SECRET_KEY", "REDIS_PASSWORD"], ComposeInterpolation.RequiredVariables(text));
        var error = Assert.Throws<InvalidOperationException>(() =>
            DeploymentFiles.ManagerEnvironment(CentralSecrets.Where(s => s.Key != "JWT_SECRET").ToDictionary()));
        Assert.Contains("JWT_SECRET", error.Message);
    }

    [Fact]
    public void OrchestratorComposeSubstitutesIdManagerHostAndExternalIp()
    {
        var environment = DeploymentFiles.OrchestratorEnvironment(CustomerSettings);
        Assert.Equal("orchestrator-7-cluster", environment["CONTAINER_NAME"]);
        Assert.Equal("orchestrator-7-agent", environment["AGENT_ID"]);
        Assert.Equal("7", environment["ORCHESTRATOR_ID"]);
        Assert.Equal("https://manager.vendor.test", environment["CENTRAL_MANAGER_URL"]);
        Assert.Equal("198.51.100.7", environment["EXTERNAL_IP"]);
        Assert.Equal("8001", environment["AGENT_PORT"]);
        var agentConfig = JsonNode.Parse(environment["AGENT_CONFIG"])!;
        Assert.Equal("7", (string?)agentConfig["orchestrator_id"]);
        Assert.Equal(10, (int?)agentConfig["max_agents"]);
        Assert.Equal(["agent_runner", "orchestrator_cluster"], agentConfig["capabilities"]!.AsArray().Select(c => (string?)c));
    }

    [Fact]
    public void OrchestratorAcceptsEveryValueTheComposeFileGivesIt()
    {
        var environment = DeploymentFiles.OrchestratorEnvironment(CustomerSettings);
        var translated = Orchestrator.Agent.Extensions.NodeSeedEnvironment.Translate(key => environment.GetValueOrDefault(key));
        Assert.DoesNotContain(translated, t => t.Key.StartsWith("Seed:Problems", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("orchestrator-7-cluster", translated["Node:ContainerName"]);
        Assert.Equal("7", translated["Node:OrchestratorId"]);
    }

    [Fact]
    public void OrchestratorKeepsItsStateOnANamedVolumeAtDataDir()
    {
        var compose = ComposeFile.Load(DeploymentFiles.OrchestratorCompose);
        var dataDir = compose.Environment(DeploymentFiles.OrchestratorService)["DATA_DIR"];
        Assert.Contains($"orchestrator-data:{dataDir}", compose.List(DeploymentFiles.OrchestratorService, "volumes"));
        Assert.True(compose.Section("volumes").Children.ContainsKey(new YamlScalarNode("orchestrator-data")));
        // The image creates it owned by the non-root user, so a fresh volume inherits a writable owner.
        Assert.Contains($"VOLUME [\"{dataDir}\"]", File.ReadAllText(DeploymentFiles.AgentDockerfile));
        Assert.Contains($"chown \"$APP_UID\" {dataDir}", File.ReadAllText(DeploymentFiles.AgentDockerfile));
    }

    [Fact]
    public void OrchestratorReachesTheHostGatewayAndPublishesOnLoopbackOnly()
    {
        var compose = ComposeFile.Load(DeploymentFiles.OrchestratorCompose);
        Assert.Contains("host.docker.internal:host-gateway", compose.List(DeploymentFiles.OrchestratorService, "extra_hosts"));
        var ports = compose.List(DeploymentFiles.OrchestratorService, "ports");
        Assert.Equal(["127.0.0.1:8001:8001"], ports.Select(p => ComposeInterpolation.Evaluate(p, CustomerSettings)));
    }

    [Fact]
    public void OrchestratorComposeRefusesToStartWithoutIdManagerOrEnrollmentToken()
    {
        var text = ComposeInterpolation.WithoutComments(ComposeFile.Load(DeploymentFiles.OrchestratorCompose).Text);
        Assert.Equal(["CENTRAL_MANAGER_HOST", "ENROLLMENT_TOKEN", "ORCHESTRATOR_ID"], ComposeInterpolation.RequiredVariables(text));
    }

    // Issue 12: whoever holds a kit must not be able to log in as admin.
    [Fact]
    public void NeitherTheOrchestratorComposeNorTheExampleEnvHoldsTheAdminPassword()
    {
        Assert.DoesNotContain("ADMIN_PASSWORD", ComposeInterpolation.WithoutComments(File.ReadAllText(DeploymentFiles.OrchestratorCompose)));
        var example = DotenvFile.Parse(DeploymentFiles.EnvExample);
        Assert.DoesNotContain("ADMIN_PASSWORD", example.AllKeys);
        Assert.DoesNotContain(File.ReadAllLines(DeploymentFiles.EnvExample), l => l.TrimStart('#', ' ').StartsWith("ADMIN_PASSWORD", StringComparison.Ordinal));
    }

    [Fact]
    public void AzureYamlPointsAzdAtTheAppHost()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepoPaths.Root, "azure.yaml"))) stream.Load(reader);
        var app = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["services"])["app"];
        Assert.Equal("dotnet", app["language"].ToString());
        Assert.Equal("containerapp", app["host"].ToString());
        var project = Path.GetFullPath(Path.Combine(RepoPaths.Root, app["project"].ToString()));
        Assert.True(File.Exists(project), $"azure.yaml names {project}, which does not exist");
        Assert.EndsWith("Orchestrator.AppHost.csproj", project);
    }
}
