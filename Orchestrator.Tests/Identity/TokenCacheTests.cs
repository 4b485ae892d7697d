using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Auth;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Identity;

// Validated tokens are cached until they expire (CachedTokenHandler); revocation and expiry must still bite on the
// very next call, because revocation is checked in Redis by each script and expiry by the cache's own deadline.
[Trait(TestLevel.Name, TestLevel.Api)]
public class TokenCacheTests(EnrollmentFixture fixture) : IClassFixture<EnrollmentFixture>
{
    private CachedTokenHandler Cache => fixture.Manager.Services.GetRequiredService<CachedTokenHandler>();

    private static Task<HttpResponseMessage> HeartbeatAsync(EnrollmentFixture.EnrolledNode node) =>
        node.Client.PostAsJsonAsync($"/api/v1/cluster/containers/{node.ContainerId}/heartbeat", Registrations.Heartbeat(node.ContainerId));

    [Fact]
    public async Task ATokenRevokedMidRunIsRefusedOnTheNextHeartbeatEvenThoughItsValidationIsCached()
    {
        var node = await fixture.EnrollNodeAsync();
        for (var i = 0; i < 3; i++) Assert.Equal(200, (int)(await HeartbeatAsync(node)).StatusCode);
        Assert.True(Cache.IsCached(node.Client.DefaultRequestHeaders.Authorization!.Parameter!));

        using var admin = await fixture.Manager.CreateAdminClientAsync();
        Assert.Equal(200, (int)(await admin.PostAsync($"/api/v1/cluster/containers/{node.ContainerId}/revoke", null)).StatusCode);

        var problem = await (await HeartbeatAsync(node)).AssertProblemAsync(401);
        Assert.Equal("Credential revoked", problem.Title);
    }

    [Fact]
    public async Task ACachedTokenIsRefusedOnceItExpires()
    {
        var node = await fixture.EnrollNodeAsync();
        Assert.Equal(200, (int)(await HeartbeatAsync(node)).StatusCode);
        Assert.True(Cache.IsCached(node.Client.DefaultRequestHeaders.Authorization!.Parameter!));

        // Past the node token's lifetime (15 minutes) and the validator's clock skew.
        fixture.Manager.Time.Advance(TimeSpan.FromMinutes(16));

        Assert.Equal(401, (int)(await HeartbeatAsync(node)).StatusCode);
        Assert.False(Cache.IsCached(node.Client.DefaultRequestHeaders.Authorization!.Parameter!));
    }
}
