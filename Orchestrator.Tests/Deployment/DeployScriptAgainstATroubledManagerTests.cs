using System.Net;

namespace Orchestrator.Tests.Deployment;

// Each class has a manager of its own (CentralManagerFixture): these tests break it on purpose.
public abstract class TroubledManagerTestBase(CentralManagerFixture manager) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-deploy-test-").FullName;

    protected CentralManagerFixture Manager => manager;

    protected async Task<ProcessRun> DryRunAsync()
    {
        var envFile = Path.Combine(_directory, ".env.orchestrator");
        await File.WriteAllLinesAsync(envFile,
        [
            "ORCHESTRATOR_ID=1", $"CENTRAL_MANAGER_HOST=127.0.0.1:{manager.Port}", "CENTRAL_MANAGER_SCHEME=http",
            "EXTERNAL_IP=198.51.100.7", "ENROLLMENT_TOKEN=0123456789ab.0123456789abcdef0123456789abcdef0123456789abcdef",
        ]);
        return await ScriptRun.BashAsync(DeploymentFiles.DeployScript, ["--dry-run", "--env-file", envFile], new Dictionary<string, string>());
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

[Trait(TestLevel.Name, TestLevel.Deployment)]
public class DeployScriptAgainstAManagerWithoutRedisTests(CentralManagerFixture manager)
    : TroubledManagerTestBase(manager), IClassFixture<CentralManagerFixture>
{
    [Fact]
    public async Task UnhealthyManagerIsRefusedWithOneLine()
    {
        Manager.StopRedis();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Testing.Deadline.UntilAsync(async () =>
            (await http.GetAsync(Manager.Url + "/health")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "the manager's /health to report 503 without Redis");

        var run = await DryRunAsync();
        Assert.Equal(1, run.ExitCode);
        Assert.Equal([$"deploy-orchestrator: error: the manager at {Manager.Url} is running but unhealthy (GET /health: 503): ask its operator to check its Redis"],
            run.ErrorLines);
    }
}
