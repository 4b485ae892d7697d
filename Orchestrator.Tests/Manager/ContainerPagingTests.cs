using System.Text.Json;

namespace Orchestrator.Tests.Manager;

[Trait(TestLevel.Name, TestLevel.Api)]
public class ContainerPagingTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    [Fact]
    public async Task FollowingNextCursorVisitsEveryContainerOnce()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var registered = new HashSet<string>();
        for (var i = 0; i < 300; i++) registered.Add(await admin.RegisterIdAsync(Registrations.UniqueName()));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await admin.GetJsonAsync($"/api/v1/cluster/containers?limit=50{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(page.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("container_id").GetString()!));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 100);

        Assert.True(pages > 1, "300 containers at limit=50 should take more than one page");
        Assert.Superset(registered, seen.ToHashSet());
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=100000", "limit")]
    [InlineData("cursor=abc", "cursor")]
    public async Task ABadPageParameterIsNamedInA400(string query, string field)
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var problem = await (await admin.GetAsync($"/api/v1/cluster/containers?{query}")).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }
}
