using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Protocol;

// Protocol's ManagerClient against the real manager (in-process, real redis-server).
[Trait(TestLevel.Name, TestLevel.Api)]
public class ManagerClientTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    [Fact]
    public async Task NodeRegistersHeartbeatsPollsAndReportsThroughTheClient()
    {
        var name = $"client-{Guid.NewGuid():N}";
        var client = new ManagerClient(fixture.Manager.CreateClient("10.1.0.1"), ManagerCredentials.Node(ManagerFactory.AdminPassword, name));

        var registered = await client.RegisterAsync(new RegisterContainerRequest(name, "127.0.0.1", 8001, ["agent_runner"],
            new ContainerResources(2, 2L << 30).ToJson(), new ContainerMetadata("7", null, null).ToJson(), 3));
        var beat = await client.HeartbeatAsync(registered.ContainerId, new HeartbeatRequest(registered.ContainerId, 90,
            new HeartbeatResources(2, 10, 1, 2, 1).ToJson(), 0, new List<ReportedAgent>().ToJson(), 3.5, 0));
        var desired = await client.GetAssignmentsAsync(registered.ContainerId, waitSeconds: 0);
        var report = await client.ReportAgentsAsync(registered.ContainerId, new AgentReportRequest(registered.ContainerId, desired.Generation, []));

        Assert.Equal((name, ContainerStatus.Healthy), (registered.ContainerName, registered.Status));
        Assert.Equal(("ok", 30), (beat.Status, beat.HeartbeatInterval));
        Assert.Equal(registered.ContainerId, desired.ContainerId);
        Assert.Empty(desired.Assignments);
        Assert.Empty(report.Accepted);
        var admin = new ManagerClient(fixture.Manager.CreateClient("10.1.0.2"), ManagerCredentials.Admin(ManagerFactory.AdminPassword));
        var seen = await admin.GetContainerAsync(registered.ContainerId);
        Assert.Equal(("7", 3), (seen.OrchestratorId(), seen.MaxAgents));
        Assert.Contains(await admin.ListAllContainersAsync(), c => c.ContainerId == registered.ContainerId);
    }

    [Fact]
    public async Task ARefusedTokenIsReplacedByOneNewLoginAndTheCallRepeated()
    {
        var logins = 0;
        var credentials = ManagerCredentials.From(() =>
        {
            logins++;
            return TokenRequest.ForAdmin(ManagerFactory.AdminPassword);
        });
        var spoiler = new SpoilFirstToken();
        var http = fixture.Manager.CreateDefaultClient(spoiler);
        http.DefaultRequestHeaders.Add(ManagerFactory.ClientIpHeader, "10.1.0.3");
        var client = new ManagerClient(http, credentials);

        var status = await client.GetStatusAsync();

        Assert.True(status.RedisReachable);
        Assert.Equal(1, spoiler.Spoiled);
        Assert.Equal(2, logins);
    }

    [Fact]
    public async Task AWrongPasswordThrowsTheInvalidCredentialsProblemWithoutRetrying()
    {
        var client = new ManagerClient(fixture.Manager.CreateClient("10.1.0.4"), ManagerCredentials.Admin("not-the-password"));

        var refused = await Assert.ThrowsAsync<ManagerProblemException>(() => client.GetStatusAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(refused.Is(ProblemTypes.InvalidCredentials), refused.Message);
        Assert.Equal(ManagerRoutes.Token, refused.Path);
        Assert.Contains("(check ADMIN_PASSWORD", refused.Message);
    }

    [Fact]
    public async Task ABadHeartbeatThrowsWithTheFieldErrorsByName()
    {
        var name = $"client-{Guid.NewGuid():N}";
        var client = new ManagerClient(fixture.Manager.CreateClient("10.1.0.5"), ManagerCredentials.Node(ManagerFactory.AdminPassword, name));
        var registered = await client.RegisterAsync(new RegisterContainerRequest(name, "127.0.0.1", 8001, null, null, null));

        var refused = await Assert.ThrowsAsync<ManagerProblemException>(() =>
            client.HeartbeatAsync(registered.ContainerId, new HeartbeatRequest(registered.ContainerId, 150, null, -1)));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True(refused.Is(ProblemTypes.ValidationFailed), refused.Message);
        Assert.Equal(["active_agents", "health_score"], refused.FieldErrors.Keys.Order());
        Assert.Contains("health_score must be between 0 and 100.", refused.Message);
    }

    [Fact]
    public async Task AnUnknownContainerIsATypedNotFoundNamingTheId()
    {
        var client = new ManagerClient(fixture.Manager.CreateClient("10.1.0.6"), ManagerCredentials.Admin(ManagerFactory.AdminPassword));

        var missing = await Assert.ThrowsAsync<ManagerProblemException>(() => client.GetContainerAsync("ctr-nobody"));

        Assert.True(missing.Is(ProblemTypes.UnknownContainer), missing.Message);
        Assert.Equal("ctr-nobody", missing.Problem!.Extensions!["container_id"].GetString());
        Assert.Equal(JsonValueKind.String, missing.Problem.Extensions["container_id"].ValueKind);
    }

    // Stands in for an expired token: the first authorized call goes out with a token the manager refuses.
    private sealed class SpoilFirstToken : DelegatingHandler
    {
        public int Spoiled { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is not null && Spoiled == 0)
            {
                Spoiled++;
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "expired." + request.Headers.Authorization.Parameter);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
