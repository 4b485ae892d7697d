using System.Net.Http.Json;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Abuse;

public sealed class SeedLoginLimitFixture : AbuseManagerFixture
{
    protected override Dictionary<string, string?> Settings => new() { ["Manager:LoginFailureLimit"] = "5" };
}

// The failure counter is one Redis script (count and judge together), partitioned by client and username.
[Trait(TestLevel.Name, TestLevel.Api)]
public class LoginLimiterTests(SeedLoginLimitFixture fixture) : IClassFixture<SeedLoginLimitFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task AHundredParallelWrongLoginsGetAtMostFiveUnauthorizedAndTheRestTooManyRequests()
    {
        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var client = Manager.CreateClient("198.51.100.10");
            var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "guess" + i });
            var status = (int)response.StatusCode;
            await response.AssertProblemAsync(status);
            if (status == 429) Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 carries Retry-After");
            return status;
        }));
        Assert.True(statuses.Count(s => s == 401) <= 5, $"{statuses.Count(s => s == 401)} answers of 401");
        Assert.Equal(100, statuses.Count(s => s is 401 or 429));
        Assert.True(statuses.Count(s => s == 429) >= 95);
    }

    [Fact]
    public async Task AddressesOfOneIpv6SlashSixtyFourShareOneCount()
    {
        for (var i = 1; i <= 5; i++)
        {
            using var client = Manager.CreateClient($"2001:db8:aa:bb::{i:x}");
            await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "wrong" })).AssertProblemAsync(401);
        }
        using var sameNetwork = Manager.CreateClient("2001:db8:aa:bb:ffff:1:2:3");
        await (await sameNetwork.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = ManagerFactory.AdminPassword })).AssertProblemAsync(429);
        using var otherNetwork = Manager.CreateClient("2001:db8:aa:cc::1");
        Assert.True((await otherNetwork.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = ManagerFactory.AdminPassword })).IsSuccessStatusCode);
    }

    [Fact]
    public async Task FailuresForOneUsernameDoNotLockAnotherUsernameFromTheSameClient()
    {
        using var client = Manager.CreateClient("198.51.100.20");
        for (var i = 0; i < 6; i++) await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "wrong" });
        await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = ManagerFactory.AdminPassword })).AssertProblemAsync(429);
        var cluster = await client.PostAsJsonAsync("/api/v1/auth/token",
            new { username = "cluster", password = ManagerFactory.AdminPassword, container_name = Registrations.UniqueName() });
        Assert.True(cluster.IsSuccessStatusCode, $"cluster login: {(int)cluster.StatusCode}");
    }
}

public sealed class GlobalLoginLimitFixture : AbuseManagerFixture
{
    public const int GlobalLimit = 12;
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Manager:LoginFailureLimit"] = "5",
        ["Limits:GlobalLoginFailureLimit"] = GlobalLimit.ToString(),
    };
}

[Trait(TestLevel.Name, TestLevel.Api)]
public class GlobalLoginCeilingTests(GlobalLoginLimitFixture fixture) : IClassFixture<GlobalLoginLimitFixture>
{
    [Fact]
    public async Task FailuresSpreadOverManyClientsHitTheGlobalCeiling()
    {
        // Three failures each from many addresses: no client reaches its own limit of five.
        var statuses = new List<int>();
        for (var client = 0; client < 6; client++)
        {
            using var http = fixture.Manager.CreateClient($"192.0.2.{client + 1}");
            for (var i = 0; i < 3; i++)
                statuses.Add((int)(await http.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "wrong" })).StatusCode);
        }
        Assert.Equal(GlobalLoginLimitFixture.GlobalLimit, statuses.Count(s => s == 401));
        Assert.All(statuses.Skip(GlobalLoginLimitFixture.GlobalLimit), s => Assert.Equal(429, s));
        using var fresh = fixture.Manager.CreateClient("192.0.2.200");
        var refused = await fresh.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "wrong" });
        await refused.AssertProblemAsync(429);
        Assert.NotNull(refused.Headers.RetryAfter);
    }
}
