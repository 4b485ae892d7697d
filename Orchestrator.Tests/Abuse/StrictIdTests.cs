using System.Net.Http.Json;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Abuse;

// Route ids reach Redis key names only in the form the manager generates; names and collections are bounded.
[Trait(TestLevel.Name, TestLevel.Api)]
public class StrictIdTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task AHeartbeatToAContainersDesiredKeyIsNotFoundAndLeavesRedisUntouched()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await admin.RegisterAsync(type, "1", maxAgents: 5);
        await admin.DeployOkAsync(new { agent_type = type });
        var before = await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString);

        var target = id + ":desired";
        var response = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{Uri.EscapeDataString(target)}/heartbeat", Registrations.Heartbeat(target));

        await response.AssertProblemAsync(404);
        Assert.Empty(before.Differences(await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString)));
        // And the container's long-poll still reads its desired state.
        var desired = await admin.GetAssignmentsAsync(id);
        Assert.Single(desired.Assignments);
    }

    [Theory]
    [InlineData("GET", "/api/v1/cluster/containers/{0}")]
    [InlineData("DELETE", "/api/v1/cluster/containers/{0}")]
    [InlineData("GET", "/api/v1/cluster/containers/{0}/assignments?wait=0")]
    [InlineData("POST", "/api/v1/cluster/containers/{0}/agents/report")]
    [InlineData("POST", "/api/v1/cluster/containers/{0}/heartbeat")]
    [InlineData("GET", "/api/v1/cluster/agents/{0}")]
    [InlineData("DELETE", "/api/v1/cluster/agents/{0}")]
    public async Task EveryRouteIdNotOfTheGeneratedFormIsNotFoundBeforeRedisIsTouched(string method, string template)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var before = await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString, key => !key.Contains("login-failures"));
        foreach (var id in new[] { "ctr-0123456789abcdeF", "ctr-0123456789abcdef:desired", "agt-0123456789abcde", "ctr-*", "x", new string('a', 2000) })
        {
            var request = new HttpRequestMessage(new HttpMethod(method), string.Format(template, Uri.EscapeDataString(id)));
            if (method == "POST") request.Content = JsonContent.Create(new { container_id = id, health_score = 90, active_agents = 0, agents = Array.Empty<object>() });
            var response = await admin.SendAsync(request);
            var problem = await response.AssertProblemAsync(404);
            Assert.True(problem.Detail!.Length < 200, "a long id is not echoed back in full");
        }
        Assert.Empty(before.Differences(await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString, key => !key.Contains("login-failures"))));
    }

    [Theory]
    [InlineData("orchestrator 1")]
    [InlineData("orchestrator/1")]
    [InlineData("ctr:desired")]
    [InlineData("naïve")]
    public async Task AContainerNameOutsideTheAllowedCharactersIsRejectedNamingTheField(string name)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.Names("container_name"), problem.Named());
    }

    [Fact]
    public async Task AContainerNameOf253AllowedCharactersIsAcceptedAnd254IsNot()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var longest = Registrations.UniqueName("n").PadRight(253, 'x');
        Assert.True((await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(longest))).IsSuccessStatusCode);
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(longest + "y"));
        Assert.True((await response.AssertProblemAsync(400)).Names("container_name"));
    }

    public static TheoryData<string, string> OversizedRegistrations => new()
    {
        { "capabilities", """{"capabilities": [CAPS]}""" },
        { "capabilities", """{"capabilities": ["LONG"]}""" },
        { "metadata", """{"metadata": {PROPS}}""" },
        { "resources", """{"resources": {PROPS}}""" },
        { "metadata", """{"metadata": {"blob": "BIG"}}""" },
    };

    [Theory]
    [MemberData(nameof(OversizedRegistrations))]
    public async Task ARegistrationOverACountOrSizeLimitIsRejectedNamingTheField(string field, string fragment)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var json = Expand(fragment);
        var body = """{"container_name":"NAME","host_address":"127.0.0.1","api_port":8001,""".Replace("NAME", Registrations.UniqueName("big")) + json[1..];
        var response = await admin.PostAsync("/api/v1/cluster/containers/register", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.Names(field), $"errors name {field}: {problem.Named()}");
    }

    public static TheoryData<string, string> OversizedDeploys => new()
    {
        { "agent_config", """{"agent_type":"process","agent_config":{"blob":"HUGE"}}""" },
        { "constraints.labels", """{"agent_type":"process","constraints":{"labels":{LABELS}}}""" },
        { "constraints.labels", """{"agent_type":"process","constraints":{"labels":{"k":"LONG"}}}""" },
        { "constraints.capabilities", """{"agent_type":"process","constraints":{"capabilities":[CAPS]}}""" },
    };

    [Theory]
    [MemberData(nameof(OversizedDeploys))]
    public async Task ADeployOverACountOrSizeLimitIsRejectedNamingTheField(string field, string fragment)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var before = await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString, key => !key.Contains("login-failures"));
        var response = await admin.PostAsync("/api/v1/cluster/agents/deploy", new StringContent(Expand(fragment), System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.Names(field), $"errors name {field}: {problem.Named()}");
        Assert.Empty(before.Differences(await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString, key => !key.Contains("login-failures"))));
    }

    // 65 of each (limits are 64), strings of 300 characters (limits 128 and 253), 9 KB and 40 KB blobs (limits 8 KiB and 32 KiB).
    private static string Expand(string fragment) => fragment
        .Replace("CAPS", string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"cap{i}\"")))
        .Replace("PROPS", string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"p{i}\":1")))
        .Replace("LABELS", string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"l{i}\":\"v\"")))
        .Replace("LONG", new string('c', 300))
        .Replace("HUGE", new string('h', 40_000))
        .Replace("BIG", new string('b', 9_000));
}
