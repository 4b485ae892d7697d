using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Tests.Deployment;

// The services run with nothing but what the compose files give them (the fixture's manager, and an
// orchestrator started here), which proves no variable a service needs is missing from them. The images'
// HEALTHCHECK commands are run against both, as Docker would run them inside the containers.
[Trait(TestLevel.Name, TestLevel.Deployment)]
public class ComposeEnvironmentRunTests(CentralManagerFixture manager) : IClassFixture<CentralManagerFixture>
{
    private static readonly TimeSpan RegistrationDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ManagerImageHealthcheckPassesAgainstTheRunningManager()
    {
        var command = DockerfileHealthcheck.Command(DeploymentFiles.ManagerDockerfile);
        var run = await ScriptRun.RunAsync(command[0], command.Skip(1), new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = manager.Port.ToString() });
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task ManagerImageHealthcheckFailsWhenNothingAnswers()
    {
        var command = DockerfileHealthcheck.Command(DeploymentFiles.ManagerDockerfile);
        var run = await ScriptRun.RunAsync(command[0], command.Skip(1), new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = FreePort.Next().ToString() });
        Assert.NotEqual(0, run.ExitCode);
    }

    [Fact]
    public async Task OrchestratorStartedWithTheComposeEnvironmentIsListedByTheManager()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("orchestrator-compose-node-").FullName;
        // The vendor's side of onboarding: an admin creates this customer's enrollment token.
        using var http = new HttpClient { BaseAddress = new Uri(manager.Url + "/"), Timeout = TimeSpan.FromSeconds(10) };
        var api = new ManagerClient(http, ManagerCredentials.Admin(manager.AdminPassword));
        var enrollmentToken = (await api.CreateEnrollmentTokenAsync(new CreateEnrollmentTokenRequest(
            JsonSerializer.SerializeToElement("compose-e2e"), TtlSeconds: 600, MaxUses: 1, MaxAgents: null, Capabilities: null, Labels: null))).Token;

        var agentPort = FreePort.Next();
        var environment = DeploymentFiles.OrchestratorEnvironment(new Dictionary<string, string>
        {
            ["ORCHESTRATOR_ID"] = "compose-e2e",
            ["CENTRAL_MANAGER_SCHEME"] = "http",
            ["CENTRAL_MANAGER_HOST"] = $"127.0.0.1:{manager.Port}",
            ["EXTERNAL_IP"] = "198.51.100.7",
            ["ENROLLMENT_TOKEN"] = enrollmentToken,
        }).ToDictionary();
        Assert.False(environment.ContainsKey("ADMIN_PASSWORD"));
        // What the container would provide instead: its own port namespace and the mounted volume.
        environment["AGENT_PORT"] = agentPort.ToString();
        environment["DATA_DIR"] = dataDirectory;

        await using var node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(environment));
        try
        {

            var listed = await Deadline.PollAsync(async () =>
            {
                node.ThrowIfExited();
                return (await api.ListAllContainersAsync()).FirstOrDefault(c => c.ContainerName == "orchestrator-compose-e2e-cluster");
            }, RegistrationDeadline, "the manager to list orchestrator-compose-e2e-cluster");
            Assert.Equal(ContainerStatus.Healthy, listed.Status);

            var command = DockerfileHealthcheck.Command(DeploymentFiles.AgentDockerfile);
            var health = await ScriptRun.RunAsync(command[0], command.Skip(1), new Dictionary<string, string> { ["AGENT_PORT"] = agentPort.ToString() });
            Assert.True(health.ExitCode == 0, health.ToString() + "\n--- orchestrator log\n" + node.Log);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
