
namespace Orchestrator.Tests.Abuse;

// The built manager started from / (as systemd would: `dotnet /opt/manager/Orchestrator.Manager.dll`)
// still applies its own appsettings.json.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public class ContentRootTests
{
    [Fact]
    public async Task TheManagerStartedFromTheRootFolderAppliesItsAppsettings()
    {
        await using var redis = await RedisHost.StartAsync();
        var port = FreePort.Next();
        await using var manager = await ChildProcess.StartServiceAsync(ProcessSpec.Project("Orchestrator.Manager").WithEnvironment(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["REDIS_URL"] = redis.Url,
            ["JWT_SECRET"] = "content-root-test-jwt-secret-of-32-characters",
            ["MASTER_SECRET_KEY"] = "a-test-master-secret-key-of-at-least-32-characters",
            ["ADMIN_PASSWORD"] = "content-root-test-admin-password",
        }) with { WorkingDirectory = "/", Url = new Uri($"http://127.0.0.1:{port}") }, TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        for (var i = 0; i < 5; i++) (await http.GetAsync($"http://127.0.0.1:{port}/api/v1/cluster/status")).Dispose();
        (await http.GetAsync($"http://127.0.0.1:{port}/health")).Dispose();

        // appsettings.json sets Microsoft.AspNetCore to Warning. Without it the default level (Information)
        // logs every request ("Request starting ... Request finished"), four lines each.
        await Deadline.UntilAsync(() => Task.FromResult(manager.Log.Contains("Now listening", StringComparison.Ordinal) || manager.Log.Contains("Application started", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), "the manager's startup lines");
        Assert.DoesNotContain("Request starting", manager.Log);
        Assert.DoesNotContain("Request finished", manager.Log);
    }
}
