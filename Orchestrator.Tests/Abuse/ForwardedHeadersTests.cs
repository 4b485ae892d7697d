using System.Net.Http.Json;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Abuse;

public sealed class TrustedProxyFixture : AbuseManagerFixture
{
    public const string Proxy = "10.77.0.5";
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Manager:LoginFailureLimit"] = "3",
        ["TRUSTED_PROXIES"] = "10.77.0.0/24, 2001:db8:77::1",
    };
}

// X-Forwarded-For is believed from TRUSTED_PROXIES only. The login lockout shows which address the
// manager counted: a spoofed header from anyone else changes nothing.
[Trait(TestLevel.Name, TestLevel.Api)]
public class ForwardedHeadersTests(TrustedProxyFixture fixture) : IClassFixture<TrustedProxyFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task ASpoofedForwardedForFromAnUntrustedAddressChangesNothing()
    {
        using var attacker = Manager.CreateClient("203.0.113.9");
        for (var i = 0; i < 3; i++)
        {
            var request = Login("wrong");
            request.Headers.Add("X-Forwarded-For", $"198.18.0.{i + 1}"); // a new "address" every time
            await (await attacker.SendAsync(request)).AssertProblemAsync(401);
        }
        var spoofed = Login(ManagerFactory.AdminPassword);
        spoofed.Headers.Add("X-Forwarded-For", "198.18.0.99");
        await (await attacker.SendAsync(spoofed)).AssertProblemAsync(429);

        // And the addresses it named were never blocked: they were never counted.
        using var proxy = Manager.CreateClient(TrustedProxyFixture.Proxy);
        var named = Login(ManagerFactory.AdminPassword);
        named.Headers.Add("X-Forwarded-For", "198.18.0.1");
        Assert.True((await proxy.SendAsync(named)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task ClientsBehindATrustedProxyAreCountedByTheirOwnAddress()
    {
        using var proxy = Manager.CreateClient(TrustedProxyFixture.Proxy);
        for (var i = 0; i < 3; i++)
        {
            var request = Login("wrong");
            request.Headers.Add("X-Forwarded-For", "198.18.1.1");
            await (await proxy.SendAsync(request)).AssertProblemAsync(401);
        }
        var blocked = Login(ManagerFactory.AdminPassword);
        blocked.Headers.Add("X-Forwarded-For", "198.18.1.1");
        await (await proxy.SendAsync(blocked)).AssertProblemAsync(429);

        // One customer's typos do not lock out everyone behind the same proxy.
        var neighbour = Login(ManagerFactory.AdminPassword);
        neighbour.Headers.Add("X-Forwarded-For", "198.18.1.2");
        Assert.True((await proxy.SendAsync(neighbour)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task AnUntrustedHopInTheChainIsWhereTheManagerStopsBelieving()
    {
        using var proxy = Manager.CreateClient(TrustedProxyFixture.Proxy);
        // The client forged "198.18.2.50"; the proxy appended the address it really saw, 198.18.2.7.
        for (var i = 0; i < 3; i++)
        {
            var request = Login("wrong");
            request.Headers.Add("X-Forwarded-For", $"198.18.2.{50 + i}, 198.18.2.7");
            await (await proxy.SendAsync(request)).AssertProblemAsync(401);
        }
        var blocked = Login(ManagerFactory.AdminPassword);
        blocked.Headers.Add("X-Forwarded-For", "198.18.2.99, 198.18.2.7");
        await (await proxy.SendAsync(blocked)).AssertProblemAsync(429);
    }

    private static HttpRequestMessage Login(string password) =>
        new(HttpMethod.Post, "/api/v1/auth/token") { Content = JsonContent.Create(new { username = "admin", password }) };
}
