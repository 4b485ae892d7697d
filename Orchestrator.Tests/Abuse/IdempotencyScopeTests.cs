using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Manager.Auth;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Abuse;

// An Idempotency-Key belongs to its caller: another caller replaying it gets no one else's answer.
[Trait(TestLevel.Name, TestLevel.Api)]
public class IdempotencyScopeTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    [Fact]
    public async Task AReplayedIdempotencyKeyFromAnotherCallerDoesNotReturnTheFirstCallersAnswer()
    {
        using var first = await fixture.Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        await first.RegisterAsync(type, "1", maxAgents: 10);
        var body = new { agent_type = type, agent_config = new { secret_strategy = "first caller's" } };
        var key = "deploy-" + Guid.NewGuid().ToString("N");
        var original = await first.DeployOkAsync(body, key);
        var replay = await first.DeployOkAsync(body, key);
        Assert.Equal(original.DeploymentId, replay.DeploymentId);

        // A second operator: an admin token of another subject, signed by the manager's key.
        using var second = fixture.Manager.CreateClient("127.0.0.1");
        second.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken("admin:second-operator"));
        var theirs = await second.DeployOkAsync(body, key);
        Assert.NotEqual(original.DeploymentId, theirs.DeploymentId);
        Assert.NotEqual(original.Agents[0].AgentId,
            theirs.Agents[0].AgentId);
    }

    private static string AdminToken(string subject) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = TokenIssuer.Issuer,
        Audience = TokenIssuer.Audience,
        Claims = new Dictionary<string, object> { [ManagerClaims.Subject] = subject, [ManagerClaims.Role] = Roles.Admin },
        IssuedAt = DateTime.UtcNow,
        NotBefore = DateTime.UtcNow,
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ManagerFactory.JwtSecret)), SecurityAlgorithms.HmacSha256),
    });
}
