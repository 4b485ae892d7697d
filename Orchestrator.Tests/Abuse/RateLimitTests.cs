using System.Net;
using System.Net.Http.Json;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Abuse;

public sealed class TightRateLimitFixture : AbuseManagerFixture
{
    public const int PerSecond = 5;
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Limits:DeploysPerSecondPerCaller"] = PerSecond.ToString(),
        ["Limits:RegistrationsPerSecondPerCaller"] = PerSecond.ToString(),
    };
}

// Microsoft.AspNetCore.RateLimiting per caller: 429 problem+json with Retry-After past the limit;
// heartbeats are never limited.
[Trait(TestLevel.Name, TestLevel.Api)]
public class RateLimitTests(TightRateLimitFixture fixture) : IClassFixture<TightRateLimitFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task DeploysPastTheCallersLimitGetTooManyRequestsWithRetryAfter()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < TightRateLimitFixture.PerSecond * 3; i++)
            statuses.Add(await admin.DeployAsync(new { agent_type = SchedulingClient.UniqueType() }));
        var limited = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        await limited[0].AssertProblemAsync(429);
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ALimitedCallerAcceptingOnlyAnEventStreamStillGetsProblemJson()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        admin.DefaultRequestHeaders.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("text/event-stream"));
        // All at once, so the bucket is over its limit however slowly a loaded machine answers.
        var responses = await Task.WhenAll(Enumerable.Range(0, TightRateLimitFixture.PerSecond * 3)
            .Select(_ => admin.DeployAsync(new { agent_type = SchedulingClient.UniqueType() })));

        // The shared 429 writer once threw here (no problem writer matched the Accept header): a 500 instead.
        Assert.DoesNotContain(responses, r => r.StatusCode == HttpStatusCode.InternalServerError);
        var limited = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        await limited.AssertProblemAsync(429);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task RegistrationsPastTheCallersLimitAreLimitedButOtherCallersAndHeartbeatsAreNot()
    {
        var name = Registrations.UniqueName("busy");
        using var node = await Manager.CreateClusterClientAsync(name);
        var id = await node.RegisterIdAsync(name);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < TightRateLimitFixture.PerSecond * 3; i++)
            statuses.Add((await node.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(name))).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        // The same node's heartbeats, far faster than any interval, are all accepted.
        for (var i = 0; i < 50; i++)
            Assert.Equal(HttpStatusCode.OK, (await node.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id))).StatusCode);

        var otherName = Registrations.UniqueName("calm");
        using var other = await Manager.CreateClusterClientAsync(otherName);
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(otherName))).StatusCode);
    }
}

// The defaults leave the performance goals reachable: a burst of 2,500 deploys and 2,500 registrations
// from one caller within a second is never answered 429.
[Trait(TestLevel.Name, TestLevel.Api)]
public class DefaultRateLimitTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    [Fact]
    public async Task ABurstOfTwoThousandFiveHundredDeploysAndRegistrationsFromOneAdminIsNotLimited()
    {
        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        await Parallel.ForAsync(0, 2_500, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            // Bodies the handler refuses at once: the limiter has counted them all the same.
            using var deploy = await admin.PostAsJsonAsync("/api/v1/cluster/agents/deploy", new { agent_type = "Not A Type" }, ct);
            using var register = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", new { container_name = "bad name" }, ct);
            statuses.Add(deploy.StatusCode);
            statuses.Add(register.StatusCode);
        });
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.BadRequest, s));
    }
}
