using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Scheduling;

// Cordon (issue 27): PUT .../containers/{id}/eligibility, over real HTTP against the real manager and redis-server.
[Trait(TestLevel.Name, TestLevel.Api)]
public class CordonTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task ACordonedContainerGetsNoNewPlacementsUnder100ParallelDeploysAndKeepsWhatItRuns()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var cordoned = await admin.RegisterAsync(type, "1", 200);
        var others = new[] { await admin.RegisterAsync(type, "1", 200), await admin.RegisterAsync(type, "1", 200) };
        // Placed before the cordon, and in the fleet snapshot placement reads: a stale plan must still not land there.
        var before = await admin.DeployOkAsync(new { agent_type = type, deployment_strategy = "least_loaded", replicas = 3 });
        Assert.Contains(cordoned, SchedulingClient.ContainersOf(before));

        var set = await admin.PutAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerEligibility, cordoned),
            new { eligibility = "ineligible", reason = "disk replacement" });
        var view = await set.ReadAsync(ProtocolJsonContext.Default.ContainerView);
        Assert.Equal(ContainerEligibility.Ineligible, view.Eligibility);
        Assert.Equal("disk replacement", view.EligibilityReason);

        var deploys = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ =>
            admin.DeployOkAsync(new { agent_type = type, deployment_strategy = "least_loaded", replicas = 1 })));

        Assert.DoesNotContain(cordoned, deploys.SelectMany(SchedulingClient.ContainersOf));
        Assert.Equal(1, await admin.AssignedAsync(cordoned)); // what it ran before stays
        Assert.Equal(102, (await admin.AssignedAsync(others[0])) + (await admin.AssignedAsync(others[1])));
        var shown = await admin.GetContainerAsync(cordoned);
        Assert.Equal((ContainerEligibility.Ineligible, "disk replacement"), (shown.Eligibility, shown.EligibilityReason));

        // Uncordoned, the least-loaded container is the one placement picks again, once its fleet snapshot is
        // read again (at most Scheduling:CandidateMaxAge old; the manager's clock here is the test's).
        (await admin.PutAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerEligibility, cordoned),
            new { eligibility = "eligible" })).EnsureSuccessStatusCode();
        Manager.Time.Advance(TimeSpan.FromSeconds(2));
        var after = await admin.DeployOkAsync(new { agent_type = type, deployment_strategy = "least_loaded", replicas = 1 });
        Assert.Equal(cordoned, Assert.Single(SchedulingClient.ContainersOf(after)));
    }

    [Fact]
    public async Task AnUnknownEligibilityIsABadRequestNamingTheFieldAndAnUnknownContainerIs404()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);

        var bad = await admin.PutAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerEligibility, id), new { eligibility = "maybe" });
        Assert.True((await bad.AssertProblemAsync(400)).Names("eligibility"));
        Assert.Equal(ContainerEligibility.Eligible, (await admin.GetContainerAsync(id)).Eligibility);

        var unknown = await admin.PutAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerEligibility, "ctr-" + Guid.NewGuid().ToString("N")[..16]),
            new { eligibility = "ineligible" });
        await unknown.AssertProblemAsync(404);
    }
}
