using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

// The services run with nothing but what the compose files give them (the fixture's manager, and an
// orchestrator started here), which proves no variable a service needs is missing from them. The images'
// HEALTHCHECK commands are run against both, as Docker would run them inside the containers.
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
        var agentPort = FreePort.Next();
        var environment = DeploymentFiles.OrchestratorEnvironment(new Dictionary<string, string>
        {
            ["ORCHESTRATOR_ID"] = "compose-e2e",
            ["CENTRAL_MANAGER_SCHEME"] = "http",
            ["CENTRAL_MANAGER_HOST"] = $"127.0.0.1:{manager.Port}",
            ["EXTERNAL_IP"] = "198.51.100.7",
            ["ADMIN_PASSWORD"] = manager.AdminPassword,
        }).ToDictionary();
        // What the container would provide instead: its own port namespace and the mounted volume.
        environment["AGENT_PORT"] = agentPort.ToString();
        environment["DATA_DIR"] = dataDirectory;

        using var node = StartOrchestrator(environment, out var log);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(manager.Url), Timeout = TimeSpan.FromSeconds(10) };
            var login = await http.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = manager.AdminPassword });
            login.EnsureSuccessStatusCode();
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);

            var listed = await Deadline.PollAsync(async () =>
            {
                if (node.HasExited) throw new InvalidOperationException($"the orchestrator exited with {node.ExitCode}:\n{log}");
                var list = await http.GetFromJsonAsync<JsonElement>("/api/v1/cluster/containers");
                return list.GetProperty("containers").EnumerateArray()
                    .Where(c => c.GetProperty("container_name").GetString() == "orchestrator-compose-e2e-cluster")
                    .Select(c => (JsonElement?)c).FirstOrDefault();
            }, RegistrationDeadline, "the manager to list orchestrator-compose-e2e-cluster");
            Assert.Equal("healthy", listed!.Value.GetProperty("status").GetString());

            var command = DockerfileHealthcheck.Command(DeploymentFiles.AgentDockerfile);
            var health = await ScriptRun.RunAsync(command[0], command.Skip(1), new Dictionary<string, string> { ["AGENT_PORT"] = agentPort.ToString() });
            Assert.True(health.ExitCode == 0, health.ToString() + "\n--- orchestrator log\n" + log);
        }
        finally
        {
            if (!node.HasExited) node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    private static Process StartOrchestrator(IReadOnlyDictionary<string, string> environment, out StringBuilder log)
    {
        var dll = RepoPaths.ProjectOutput("Orchestrator.Agent");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        start.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME");
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("the orchestrator did not start");
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log = output;
        return process;
    }

}
