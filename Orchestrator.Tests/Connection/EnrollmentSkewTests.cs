using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Identity;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Connection;

// Enrolling is refused for a protocol outside N and N-1 too (issue 27), before the token is tried, so a node
// that must be upgraded first does not use up its single-use enrollment token.
[Trait(TestLevel.Name, TestLevel.Api)]
public class EnrollmentSkewTests(EnrollmentFixture fixture) : IClassFixture<EnrollmentFixture>
{
    [Fact]
    public async Task AnEnrollmentTwoProtocolsBehindIsRefusedWith426AndLeavesItsSingleUseTokenForTheUpgradedNode()
    {
        var token = await fixture.CreateTokenAsync(maxUses: 1);
        var name = Registrations.UniqueName("skewed");
        object Body(int protocol) => new Dictionary<string, object?>(
            JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(EnrollmentFixture.EnrollBody(token, name)))!)
        {
            ["node_version"] = "0.0.1",
            ["protocol_version"] = protocol,
        };

        var refused = await (await fixture.EnrollAsync(Body(NodeProtocol.Current - 2))).AssertProblemAsync(426);
        Assert.Equal(ProblemTypes.ProtocolNotAccepted.Title, refused.Title);
        Assert.Equal("protocol_version", refused.Extension("field"));

        var enrolled = await fixture.EnrollAsync(Body(NodeProtocol.Current));
        Assert.True((int)enrolled.StatusCode == 201, await enrolled.Content.ReadAsStringAsync());
        var id = (await enrolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("container_id").GetString()!;
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var shown = await admin.GetContainerAsync(id);
        Assert.Equal(("0.0.1", NodeProtocol.Current), (shown.NodeVersion, shown.ProtocolVersion));
    }
}
