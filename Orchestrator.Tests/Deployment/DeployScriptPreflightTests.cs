using System.Net;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

// deploy-orchestrator.sh's checks against a real manager (CentralManagerFixture). Only --dry-run gets
// past them here: the step after needs a Docker engine, which this machine has not.
[Trait(TestLevel.Name, TestLevel.Deployment)]
public class DeployScriptPreflightTests(CentralManagerFixture manager) : IClassFixture<CentralManagerFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-deploy-test-").FullName;

    private const string Token = "0123456789ab.0123456789abcdef0123456789abcdef0123456789abcdef";

    private string EnvFile => Path.Combine(_directory, ".env.orchestrator");

    // The example file as a customer fills it in: the same lines, real values.
    private void WriteSettings(Dictionary<string, string?> changes)
    {
        var values = new Dictionary<string, string?>
        {
            ["ORCHESTRATOR_ID"] = "1",
            ["CENTRAL_MANAGER_HOST"] = $"127.0.0.1:{manager.Port}",
            ["CENTRAL_MANAGER_SCHEME"] = "http",
            ["EXTERNAL_IP"] = "198.51.100.7",
            ["ENROLLMENT_TOKEN"] = Token,
        };
        foreach (var (key, value) in changes) values[key] = value;
        var lines = File.ReadAllLines(DeploymentFiles.EnvExample).Select(line =>
        {
            var key = line.Split('=')[0];
            if (line.StartsWith('#') || !values.TryGetValue(key, out var value)) return line;
            return value is null ? "" : $"{key}={value}";
        });
        File.WriteAllLines(EnvFile, lines);
    }

    private Task<ProcessRun> DeployAsync(Dictionary<string, string?>? settings = null, Dictionary<string, string>? environment = null)
    {
        WriteSettings(settings ?? []);
        return ScriptRun.BashAsync(DeploymentFiles.DeployScript, ["--dry-run", "--env-file", EnvFile], environment ?? []);
    }

    [Fact]
    public async Task FilledInSettingsPassEveryCheckAndDryRunPrintsWhatItWouldRun()
    {
        var run = await DeployAsync();
        Assert.True(run.ExitCode == 0, run + "\n--- manager log\n" + manager.Log);
        Assert.Empty(run.Error);
        Assert.Contains($"manager at {manager.Url} is healthy", run.Output);
        Assert.DoesNotContain(Token, run.Output);
        var compose = Path.Combine(RepoPaths.Root, "docker-compose.orchestrator.yml");
        Assert.Contains($"would run:", run.Output);
        Assert.Contains($"--env-file {EnvFile} -f {compose} up -d --build", run.Output);
        Assert.Contains("for orchestrator-1-cluster to enroll", run.Output);
    }

    [Fact]
    public async Task An_engine_socket_adds_the_engine_overlay_and_a_socket_group_that_is_not_a_number_is_refused_naming_it()
    {
        var engine = new Dictionary<string, string> { ["CONTAINER_ENGINE_SOCKET"] = "/var/run/docker.sock", ["CONTAINER_ENGINE_GID"] = "docker" };

        var refused = await DeployAsync(environment: engine);
        engine["CONTAINER_ENGINE_GID"] = "999";
        var run = await DeployAsync(environment: engine);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("CONTAINER_ENGINE_GID", refused.Error);
        Assert.True(run.ExitCode == 0, run + "\n--- manager log\n" + manager.Log);
        Assert.Contains($"-f {Path.Combine(RepoPaths.Root, "docker-compose.engine.yml")} up -d --build", run.Output);
    }

    // Issue 29: pinned vendor keys add the signing overlay; a missing keys file is refused naming the setting.
    [Fact]
    public async Task A_trusted_keys_file_adds_the_signing_overlay_and_a_missing_one_is_refused_naming_it()
    {
        var keys = Path.Combine(_directory, "trusted-keys.json");
        var missing = await DeployAsync(environment: new() { ["TRUSTED_KEYS_FILE"] = keys });
        File.WriteAllText(keys, """{"keys":[{"id":"vendor-2026","public_key":"MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="}]}""");
        var run = await DeployAsync(environment: new() { ["TRUSTED_KEYS_FILE"] = keys });

        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("TRUSTED_KEYS_FILE", missing.Error);
        Assert.True(run.ExitCode == 0, run + "\n--- manager log\n" + manager.Log);
        Assert.Contains($"-f {Path.Combine(RepoPaths.Root, "docker-compose.signing.yml")} up -d --build", run.Output);
    }

    [Fact]
    public async Task PlainHttpToAnotherMachineIsRefusedUnlessInsecureTransportIsAllowed()
    {
        var run = await DeployAsync(new() { ["CENTRAL_MANAGER_HOST"] = "manager.example.com:8000" });
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("deploy-orchestrator: error: CENTRAL_MANAGER_SCHEME is http to another machine", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task AnAdminPasswordInTheSettingsIsNotUsedAndSaysSo()
    {
        var run = await DeployAsync(environment: new() { ["ADMIN_PASSWORD"] = "an-admin-password-the-kit-never-needs" });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ADMIN_PASSWORD is set but not used", run.Output);
    }

    [Fact]
    public async Task UnreachableManagerIsRefusedWithOneLine()
    {
        var closedPort = FreePort.Next();
        var run = await DeployAsync(new() { ["CENTRAL_MANAGER_HOST"] = $"127.0.0.1:{closedPort}" });
        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"deploy-orchestrator: error: the manager at http://127.0.0.1:{closedPort} is unreachable (", line);
        Assert.Contains("check CENTRAL_MANAGER_HOST", line);
    }

    [Fact]
    public async Task HttpsToAPlainHttpManagerIsRefusedAsUnreachable()
    {
        var run = await DeployAsync(new() { ["CENTRAL_MANAGER_SCHEME"] = "https" });
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"the manager at https://127.0.0.1:{manager.Port} is unreachable", Assert.Single(run.ErrorLines));
    }

    [Theory]
    [InlineData("ENROLLMENT_TOKEN", "change-me", "ENROLLMENT_TOKEN is a placeholder or default value")]
    [InlineData("ENROLLMENT_TOKEN", "abc.def", "ENROLLMENT_TOKEN is too weak: it has 7 characters, at least 32 are required")]
    [InlineData("ENROLLMENT_TOKEN", null, "ENROLLMENT_TOKEN is not set")]
    [InlineData("ORCHESTRATOR_ID", null, "ORCHESTRATOR_ID is not set")]
    [InlineData("ORCHESTRATOR_ID", "Customer A", "ORCHESTRATOR_ID must be lower-case letters, digits")]
    [InlineData("CENTRAL_MANAGER_HOST", null, "CENTRAL_MANAGER_HOST is not set")]
    [InlineData("CENTRAL_MANAGER_HOST", "https://manager.example.com", "CENTRAL_MANAGER_HOST must be a host name or IP")]
    [InlineData("CENTRAL_MANAGER_SCHEME", "ftp", "CENTRAL_MANAGER_SCHEME must be https or http, got 'ftp'")]
    public async Task BadSettingIsRefusedWithOneLineNamingIt(string variable, string? value, string expected)
    {
        var run = await DeployAsync(new() { [variable] = value });
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("deploy-orchestrator: error: " + expected, Assert.Single(run.ErrorLines));
    }

    [Theory]
    [InlineData("your-production-jwt-secret-32chars", "JWT_SECRET is a placeholder or default value")]
    [InlineData("0123456789abcdef", "JWT_SECRET is too weak: it has 16 characters, at least 32 are required")]
    public async Task WeakJwtSecretInTheEnvironmentIsRefused(string secret, string expected)
    {
        var run = await DeployAsync(environment: new() { ["JWT_SECRET"] = secret });
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("deploy-orchestrator: error: " + expected, Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task EnvironmentWinsOverTheSettingsFileAsWithCompose()
    {
        var run = await DeployAsync(new() { ["ENROLLMENT_TOKEN"] = "change-me" }, new() { ["ENROLLMENT_TOKEN"] = Token });
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task QuotedValuesAndTrailingCommentsAreReadAsComposeReadsThem()
    {
        var run = await DeployAsync(new() { ["ENROLLMENT_TOKEN"] = $"'{Token}'", ["ORCHESTRATOR_ID"] = "1   # the first cluster" });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("for orchestrator-1-cluster to enroll", run.Output);
    }

    [Fact]
    public async Task MissingSettingsFileIsNamed()
    {
        var missing = Path.Combine(_directory, "nope.env");
        var run = await ScriptRun.BashAsync(DeploymentFiles.DeployScript, ["--dry-run", "--env-file", missing], new Dictionary<string, string>());
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"deploy-orchestrator: error: settings file {missing} not found", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task UnknownOptionIsRefused()
    {
        var run = await ScriptRun.BashAsync(DeploymentFiles.DeployScript, ["--frobnicate"], new Dictionary<string, string>());
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["deploy-orchestrator: error: unknown option --frobnicate (try --help)"], run.ErrorLines);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
