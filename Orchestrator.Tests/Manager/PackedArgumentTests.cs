using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Manager;

// Placement and reports reach their scripts as one JSON argument that Lua's cjson decodes: whatever the
// client sent (non-ASCII, an emoji's surrogate pair, quotes, markup, control characters) comes back unchanged.
[Trait(TestLevel.Name, TestLevel.Api)]
public class PackedArgumentTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private const string Awkward = "ünïcødé 😀 \"quoted\" <b>&amp;</b> back\\slash tab\t nul-ish \u0001 end";

    [Fact]
    public async Task ConfigAndReportedErrorsSurviveThePackedScriptArgumentUnchanged()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var id = await SchedulingClient.RegisterAsync(admin, type, "1", 5);

        var deployed = await admin.DeployOkAsync(new { agent_type = type, agent_config = new { note = Awkward, size = 1764216000000 } });
        var agentId = deployed.Agents[0].AgentId;

        var agent = await admin.GetJsonAsync($"/api/v1/cluster/agents/{agentId}");
        Assert.Equal(Awkward, agent.GetProperty("agent_config").GetProperty("note").GetString());
        Assert.Equal(1764216000000, agent.GetProperty("agent_config").GetProperty("size").GetInt64());
        var assignments = await admin.GetJsonAsync($"/api/v1/cluster/containers/{id}/assignments?wait=0");
        Assert.Equal(Awkward, assignments.GetProperty("assignments")[0].GetProperty("agent_config").GetProperty("note").GetString());

        var report = await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/agents/report", new
        {
            container_id = id,
            agents = new[] { new { agent_id = agentId, state = "failed", epoch = 1, restarts = 3, error = Awkward } },
        });
        Assert.Equal([agentId], (await report.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));

        agent = await admin.GetJsonAsync($"/api/v1/cluster/agents/{agentId}");
        Assert.Equal(Awkward, agent.GetProperty("error").GetString());
        Assert.Equal(3, agent.GetProperty("restarts").GetInt32());
        Assert.Equal("failed", agent.GetProperty("state").GetString());
    }
}
