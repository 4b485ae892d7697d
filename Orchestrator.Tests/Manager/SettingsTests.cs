using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Orchestrator.Manager.Extensions;
using Orchestrator.Manager.Options;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

public class SettingsTests
{
    [Theory]
    [InlineData("short-secret", "pw", "JWT_SECRET")]
    [InlineData("a-production-jwt-secret-with-32-chars!!", "", "ADMIN_PASSWORD")]
    public async Task ProductionManagerRefusesToStartWithAWeakOrMissingSecret(string jwtSecret, string adminPassword, string named)
    {
        var (exitCode, stderr) = await RunManagerAsync(new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["JWT_SECRET"] = jwtSecret,
            ["ADMIN_PASSWORD"] = adminPassword,
            ["REDIS_URL"] = "redis://127.0.0.1:1",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });
        Assert.NotEqual(0, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(named, lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void SeedVariablesTranslateOntoTheManagersOptions()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["JWT_SECRET"] = "s3cret-s3cret-s3cret-s3cret-s3cret!",
            ["ADMIN_PASSWORD"] = "pw",
            ["HEARTBEAT_INTERVAL"] = "15",
            ["ENABLE_DISTRIBUTED"] = "false",
            ["MASTER_SECRET_KEY"] = "your-production-master-key-32chars",
            ["LOG_LEVEL"] = "WARNING",
            ["REDIS_URL"] = "redis://redis:6379",
        });
        configuration.AddSeedEnvironment();

        var options = configuration.GetSection(ManagerOptions.SectionName).Get<ManagerOptions>()!;
        Assert.Equal("s3cret-s3cret-s3cret-s3cret-s3cret!", options.JwtSecret);
        Assert.Equal("pw", options.AdminPassword);
        Assert.Equal(TimeSpan.FromSeconds(15), options.HeartbeatInterval);
        Assert.False(options.EnableDistributed);
        Assert.Equal("your-production-master-key-32chars", options.MasterSecretKey);
        Assert.Equal("Warning", configuration["Logging:LogLevel:Default"]);
        Assert.Equal("redis:6379", configuration.GetConnectionString("redis"));
    }

    [Fact]
    public void EverySeedVariableMapsOntoAnExistingSetting()
    {
        var optionKeys = typeof(ManagerOptions).GetProperties().Select(p => $"{ManagerOptions.SectionName}:{p.Name}")
            .Concat(typeof(ProxyOptions).GetProperties().Select(p => $"{ProxyOptions.SectionName}:{p.Name}")).ToHashSet();
        foreach (var (variable, key) in SeedEnvironment.Variables)
        {
            Assert.True(optionKeys.Contains(key) || key is "ConnectionStrings:redis" or "Logging:LogLevel:Default",
                $"{variable} maps onto {key}, which is no setting");
        }
    }

    [Fact]
    public void ValidatorListsEveryBadSettingAtOnce()
    {
        var result = new ManagerOptionsValidator().Validate(null, new ManagerOptions
        {
            JwtSecret = "short", AdminPassword = "", HeartbeatInterval = TimeSpan.Zero, LoginFailureLimit = 0,
        });
        Assert.True(result.Failed);
        foreach (var named in new[] { "JWT_SECRET", "ADMIN_PASSWORD", "HEARTBEAT_INTERVAL", "LoginFailureLimit" })
        {
            Assert.Contains(result.Failures!, f => f.Contains(named));
        }
    }

    private static async Task<(int ExitCode, string Stderr)> RunManagerAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepoPaths.ProjectOutput("Orchestrator.Manager") },
            WorkingDirectory = Path.Combine(RepoPaths.Root, "Orchestrator.Manager"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in new[] { "JWT_SECRET", "ADMIN_PASSWORD", "OTEL_EXPORTER_OTLP_ENDPOINT", "ConnectionStrings__redis" })
            start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the manager did not exit on bad settings: " + await stdout);
        }
        return (process.ExitCode, await stderr);
    }
}
