using System.Net;
using Orchestrator.Agent.Connection;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Abuse;

// The manager's 429s carry Retry-After; the client the node uses reads it, and the node waits at least that long.
[Trait(TestLevel.Name, TestLevel.Api)]
public class RetryAfterTests(TightRateLimitFixture fixture) : IClassFixture<TightRateLimitFixture>
{
    [Fact]
    public async Task TheNodesClientReadsRetryAfterFromARateLimitedRegistration()
    {
        var name = Registrations.UniqueName("retry");
        using var http = fixture.Manager.CreateClient("10.44.0.1");
        var client = new ManagerClient(http, ManagerCredentials.Node(ManagerFactory.AdminPassword, name));
        var request = new RegisterContainerRequest(name, "127.0.0.1", 8001, ["agent_runner"], null, null, 3);

        ManagerProblemException? limited = null;
        for (var i = 0; i < TightRateLimitFixture.PerSecond * 4 && limited is null; i++)
        {
            try
            {
                await client.RegisterAsync(request);
            }
            catch (ManagerProblemException ex) when (ex.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = ex;
            }
        }

        Assert.NotNull(limited);
        Assert.True(limited.Is(ProblemTypes.TooManyRequests), limited.Message);
        Assert.True(limited.RetryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {limited.RetryAfter}");
        Assert.Equal(limited.RetryAfter, ManagerRetryAfter.AtLeast(limited, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(TimeSpan.FromMinutes(1), ManagerRetryAfter.AtLeast(limited, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(200), ManagerRetryAfter.AtLeast(new HttpRequestException("refused"), TimeSpan.FromMilliseconds(200)));
    }
}
