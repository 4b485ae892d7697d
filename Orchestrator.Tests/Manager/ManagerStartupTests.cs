namespace Orchestrator.Tests.Manager;

// The built manager as a real process: bad production settings stop it before it serves anything.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public class ManagerStartupTests
{
    [Theory]
    [InlineData("short-secret", "pw", "a-test-master-secret-key-of-at-least-32-characters", "JWT_SECRET")]
    [InlineData("a-production-jwt-secret-with-32-chars!!", "", "a-test-master-secret-key-of-at-least-32-characters", "ADMIN_PASSWORD")]
    [InlineData("a-production-jwt-secret-with-32-chars!!", "a-production-admin-password", "", "MASTER_SECRET_KEY")]
    public async Task ProductionManagerRefusesToStartWithAWeakOrMissingSecret(string jwtSecret, string adminPassword, string masterKey, string named)
    {
        var run = await ChildProcess.RunAsync(ProcessSpec.Project("Orchestrator.Manager").WithEnvironment(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["JWT_SECRET"] = jwtSecret,
            ["MASTER_SECRET_KEY"] = masterKey,
            ["ADMIN_PASSWORD"] = adminPassword,
            ["REDIS_URL"] = "redis://127.0.0.1:1",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        }), TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains(named, line);
        Assert.DoesNotContain("   at ", run.Error);
    }
}
