using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Orchestrator.Tests.Manager;

// Every class of bad input gets 400/404/413 problem+json naming the field, and changes nothing stored.
[Trait(TestLevel.Name, TestLevel.Api)]
public class BadInputTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task MalformedJsonReturnsBadRequestNamingTheBody()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsync("/api/v1/cluster/containers/register", Json("""{"container_name":"x", """));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());
    }

    [Fact]
    public async Task WrongTypedFieldReturnsBadRequestNamingTheField()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsync("/api/v1/cluster/containers/register",
            Json("""{"container_name":"x","host_address":"h","api_port":"eight thousand"}"""));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("api_port", out _), problem.ToString());
    }

    [Fact]
    public async Task WrongTypedNestedFieldReturnsBadRequestNamingItsPath()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsync("/api/v1/cluster/containers/ctr-x/heartbeat",
            Json("""{"container_id":"ctr-x","health_score":"high","active_agents":1}"""));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("health_score", out _), problem.ToString());
    }

    [Fact]
    public async Task MissingFieldsReturnBadRequestNamingEachOne()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsync("/api/v1/cluster/containers/register", Json("""{"capabilities":[]}"""));
        var errors = (await response.AssertProblemAsync(400)).GetProperty("errors");
        foreach (var field in new[] { "container_name", "host_address", "api_port" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} named in {errors}");
        }
    }

    [Fact]
    public async Task MissingBodyReturnsBadRequest()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsync("/api/v1/cluster/containers/register", Json(""));
        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task NegativePortIsRejectedAndTheStoredContainerIsUnchanged()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var name = Registrations.UniqueName();
        var id = await admin.RegisterIdAsync(name);
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name, "10.9.9.9", -1));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("api_port", out _), problem.ToString());

        var stored = await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}");
        Assert.Equal("127.0.0.1", stored.GetProperty("host_address").GetString());
        Assert.Equal(8001, stored.GetProperty("api_port").GetInt32());
    }

    [Fact]
    public async Task OutOfRangeHeartbeatValuesAreRejectedAndNothingIsRecorded()
    {
        var name = Registrations.UniqueName();
        using var cluster = await Manager.CreateClusterClientAsync(name);
        var id = await cluster.RegisterIdAsync(name);
        var response = await cluster.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat",
            new { container_id = id, health_score = 150, active_agents = -2 });
        var errors = (await response.AssertProblemAsync(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("health_score", out _));
        Assert.True(errors.TryGetProperty("active_agents", out _));

        using var admin = await Manager.CreateAdminClientAsync();
        var stored = await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}");
        Assert.Equal(100, stored.GetProperty("health_score").GetDouble());
        Assert.Equal(0, stored.GetProperty("active_agents").GetInt32());
    }

    [Fact]
    public async Task BodyOverSixtyFourKilobytesReturnsPayloadTooLarge()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var name = "big-" + new string('a', 70 * 1024);
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name));
        await response.AssertProblemAsync(413);
        var list = await admin.GetJsonAsync("/api/v1/cluster/containers");
        Assert.DoesNotContain(list.GetProperty("containers").EnumerateArray(), c => c.GetProperty("container_name").GetString()!.StartsWith("big-"));
    }

    [Fact]
    public async Task UnknownIdsReturnNotFoundProblems()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        await (await admin.GetAsync("/api/v1/cluster/containers/ctr-nope")).AssertProblemAsync(404);
        await (await admin.DeleteAsync("/api/v1/cluster/containers/ctr-nope")).AssertProblemAsync(404);
    }

    [Fact]
    public async Task UnknownStatusFilterReturnsBadRequestNamingStatus()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var problem = await (await admin.GetAsync("/api/v1/cluster/containers?status=sleeping")).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("status", out _));
    }

    [Fact]
    public async Task MalformedLoginBodyReturnsBadRequestNotServerError()
    {
        using var client = Manager.CreateClient("10.0.1.1");
        var response = await client.PostAsync("/api/v1/auth/token", Json("""{"username":42}"""));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("username", out JsonElement _), problem.ToString());
    }
}
