using Microsoft.Extensions.Configuration;
using Orchestrator.Manager.Extensions;
using Orchestrator.Manager.Options;

namespace Orchestrator.Tests.Manager;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class SettingsTests
{
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
            .Concat(typeof(ProxyOptions).GetProperties().Select(p => $"{ProxyOptions.SectionName}:{p.Name}"))
            .Concat(typeof(Orchestrator.Manager.Logs.LogsOptions).GetProperties().Select(p => $"{Orchestrator.Manager.Logs.LogsOptions.SectionName}:{p.Name}")).ToHashSet();
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
}
