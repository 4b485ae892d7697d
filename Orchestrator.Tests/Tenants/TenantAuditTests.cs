using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Tenants;
using Orchestrator.Protocol;
using Orchestrator.Tests.Identity;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;
using StackExchange.Redis;

namespace Orchestrator.Tests.Tenants;

// The audit log: every call that changes something leaves one entry with its actor and outcome, readable in pages.
[Trait(TestLevel.Name, TestLevel.Api)]
public class TenantAuditTests(EnrollmentFixture fixture) : IClassFixture<EnrollmentFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task EachActionLeavesOneEntryWithTheRightActorAndOutcome()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var type = SchedulingClient.UniqueType();
        var created = await admin.CreateOperatorAsync("operator", tenant);
        using var scoped = await Manager.CreateOperatorClientAsync(created);
        var name = created.Name;
        using var anonymous = Manager.CreateClient("10.13.2.1");
        await anonymous.PostAsJsonAsync(ManagerRoutes.Token, new { username = name, password = "opk_wrong" });

        var container = await admin.RegisterAsync(type, tenant, maxAgents: 5);
        var deployed = await scoped.DeployOkAsync(new { agent_type = type });
        await scoped.DeployAsync(new { agent_type = type, replicas = 50 });
        Assert.Equal(HttpStatusCode.NoContent, (await scoped.DeleteAsync(ManagerRoutes.WithId(ManagerRoutes.Agent, deployed.Agents[0].AgentId))).StatusCode);
        var token = await (await scoped.PostAsJsonAsync(ManagerRoutes.EnrollmentTokens, new { orchestrator_id = tenant, max_uses = 2 }))
            .ReadAsync(ProtocolJsonContext.Default.EnrollmentTokenCreated);
        var node = Registrations.UniqueName("audited");
        Assert.Equal(HttpStatusCode.Created, (await fixture.EnrollAsync(EnrollmentFixture.EnrollBody(token.Token, node, tenant))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await scoped.DeleteAsync(ManagerRoutes.WithId(ManagerRoutes.EnrollmentToken, token.TokenId))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await scoped.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.Revoke, container), new { })).StatusCode);
        (await admin.PutAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.Tenant, tenant), new { max_agents = 100 })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(ManagerRoutes.WithId(ManagerRoutes.Container, container))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(ManagerRoutes.WithId(ManagerRoutes.Operator, name))).StatusCode);

        var mine = await EntriesAsync(admin, $"?actor={name}");
        Assert.Equal(
        [
            ("login", "success", name), ("login", "denied", name), ("deploy", "success", deployed.DeploymentId), ("deploy", "refused", type),
            ("stop", "success", deployed.Agents[0].AgentId), ("enrollment_token.create", "success", token.TokenId),
            ("enrollment_token.delete", "success", token.TokenId), ("revoke", "success", container),
        ], mine.Select(e => (e.Action, e.Outcome, e.Target)).Reverse());
        // A failed login names no tenant: the answer must not tell whether the username exists.
        Assert.All(mine, e => Assert.Equal(e.Outcome == "denied" ? "" : tenant, e.Tenant));
        Assert.All(mine.Where(e => e.Outcome == "success"), e => Assert.Equal(32, e.TraceId.Length));

        var byAdmin = (await EntriesAsync(admin, $"?actor=admin&tenant={tenant}")).Select(e => (e.Action, e.Outcome, e.Target)).Reverse().ToList();
        Assert.Equal([("operator.create", "success", name), ("quota.change", "success", tenant), ("delete", "success", container),
            ("operator.delete", "success", name)], byAdmin);
        Assert.Single(await EntriesAsync(admin, $"?action=operator.create&actor=admin"), e => e.Target == name);
        Assert.Single(await EntriesAsync(admin, $"?action=operator.delete"), e => e.Target == name);
        var used = Assert.Single(await EntriesAsync(admin, $"?action=enrollment_token.use&tenant={tenant}"));
        Assert.Equal(($"cluster:{node}", "success"), (used.Actor, used.Outcome));
    }

    [Fact]
    public async Task PagingWalksTenThousandEntriesNewestFirstWithoutRepeatsOrGaps()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var audit = Manager.Services.GetRequiredService<AuditLog>();
        var actor = TenantClients.UniqueOperator("bulk");
        const int Total = 10_000;
        for (var start = 0; start < Total; start += 500)
            await Task.WhenAll(Enumerable.Range(start, 500).Select(i => audit.RecordAsync(actor, "operator", "t", AuditActions.Deploy, $"dep-{i:D5}", AuditOutcomes.Success)));

        var seen = new List<AuditEntry>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await admin.GetAsync($"{ManagerRoutes.Audit}?actor={actor}&limit=1000{(cursor is null ? "" : "&cursor=" + cursor)}",
                ProtocolJsonContext.Default.AuditPage);
            seen.AddRange(page.Entries);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 50);

        Assert.Equal(Total, seen.Count);
        Assert.Equal(Total, seen.Select(e => e.Id).Distinct().Count());
        Assert.Equal(Total, seen.Select(e => e.Target).Distinct().Count());
        var ids = seen.Select(e => e.Id.Split('-').Select(long.Parse).ToArray()).ToList();
        Assert.True(ids.Zip(ids.Skip(1)).All(p => p.First[0] > p.Second[0] || (p.First[0] == p.Second[0] && p.First[1] > p.Second[1])), "newest first");
        Assert.InRange(pages, 10, 11);
    }

    [Fact]
    public async Task AnOperatorReadsOnlyItsTenantsEntries()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var (a, b) = (TenantClients.UniqueTenant(), TenantClients.UniqueTenant());
        var audit = Manager.Services.GetRequiredService<AuditLog>();
        await audit.RecordAsync("someone", "operator", a, AuditActions.Deploy, "dep-a", AuditOutcomes.Success);
        await audit.RecordAsync("someone", "operator", b, AuditActions.Deploy, "dep-b", AuditOutcomes.Success);
        using var viewer = await Manager.CreateScopedClientAsync(admin, "viewer", a);
        var seen = await EntriesAsync(viewer, "?actor=someone");
        Assert.Equal(["dep-a"], seen.Select(e => e.Target));
        Assert.All(await EntriesAsync(viewer, ""), e => Assert.Equal(a, e.Tenant));
        Assert.Equal(2, (await EntriesAsync(admin, "?actor=someone")).Count(e => e.Target is "dep-a" or "dep-b"));
    }

    [Theory]
    [InlineData("?action=explode", "action")]
    [InlineData("?since=yesterday", "since")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?cursor=abc", "cursor")]
    public async Task AMalformedFilterIsRefusedNamingIt(string query, string field)
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var problem = await (await admin.GetAsync(ManagerRoutes.Audit + query)).AssertProblemAsync(400);
        Assert.True(problem.Names(field), problem.Named());
    }

    [Fact]
    public async Task SinceKeepsOnlyLaterEntries()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var audit = Manager.Services.GetRequiredService<AuditLog>();
        var actor = TenantClients.UniqueOperator("since");
        await audit.RecordAsync(actor, "operator", "t", AuditActions.Deploy, "old", AuditOutcomes.Success);
        var first = Assert.Single(await EntriesAsync(admin, $"?actor={actor}"));
        await Task.Delay(5); // the stream id's clock is Redis's own: the next entry gets a later millisecond
        await audit.RecordAsync(actor, "operator", "t", AuditActions.Deploy, "new", AuditOutcomes.Success);
        var since = Uri.EscapeDataString(first.Time.AddMilliseconds(1).ToString("O"));
        Assert.Equal(["new"], (await EntriesAsync(admin, $"?actor={actor}&since={since}")).Select(e => e.Target));
    }

    [Fact]
    public async Task NoEntryHoldsAPasswordOrAnApiKey()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var created = await admin.CreateOperatorAsync("viewer", TenantClients.UniqueTenant());
        await Manager.LoginAsync(created.Name, created.ApiKey);
        var entries = await fixture.Connection.GetDatabase().StreamRangeAsync("orchestrator:{audit}:log");
        var text = string.Join("\n", entries.SelectMany(e => e.Values).Select(v => $"{v.Name}={v.Value}"));
        Assert.Contains(created.Name, text);
        Assert.DoesNotContain(created.ApiKey, text);
        Assert.DoesNotContain(ManagerFactory.AdminPassword, text);
    }

    private static async Task<IReadOnlyList<AuditEntry>> EntriesAsync(HttpClient client, string query) =>
        (await client.GetAsync(ManagerRoutes.Audit + query + (query.Length == 0 ? "?" : "&") + "limit=1000", ProtocolJsonContext.Default.AuditPage)).Entries;
}
