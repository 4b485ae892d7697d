using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Deployments;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Deployments;

// Deployments through the API of a real manager on a real redis-server (issue 25). The test plays the nodes: it
// reports each agent running (or failed) at the epoch its container's assignments give, and moves the manager's
// clock, so the rollout's health gates are exercised to the second without waiting for them.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class DeploymentApiTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task ANewSpecIsRolledOutInPlaceInBatchesOfMaxParallelAndEndsSuccessful()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 5, new { max_parallel = 2, min_healthy_seconds = 1, healthy_deadline_seconds = 30 });
        Assert.Equal(DeploymentStates.Running, created.State);
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();
        Assert.Equal(5, before.Count);

        var updated = await world.PutSpecAsync(created.DeploymentId, version: "2");
        Assert.Equal(2, updated.Revision);
        Assert.Equal(1, updated.StableRevision);
        var maxInFlight = 0;
        var done = await world.DriveAsync(created.DeploymentId, v =>
        {
            var target = v.Revisions.Single(r => r.Revision == v.Revision);
            maxInFlight = Math.Max(maxInFlight, v.Revisions.Sum(r => r.Placed) - v.Revisions.Sum(r => r.Healthy));
            return v.State == DeploymentStates.Successful;
        });

        Assert.Equal(2, done.StableRevision);
        Assert.Equal(5, done.Revisions.Single(r => r.Revision == 2).Healthy);
        Assert.True(maxInFlight <= 2, $"at most max_parallel agents not healthy; saw {maxInFlight}");
        var after = await world.AgentsAsync();
        // In place: the same agents on the same containers, one epoch further, with the new spec.
        Assert.Equal(before.Select(a => (a.AgentId, a.ContainerId)).Order(), after.Select(a => (a.AgentId, a.ContainerId)).Order());
        Assert.All(after, a => Assert.Equal(2, a.Epoch));
        Assert.All(after, a => Assert.Equal("2", a.AgentConfig.GetProperty("build").GetString()));
        var revisions = await world.Admin.GetAsync(Id(ManagerRoutes.DeploymentRevisions, created.DeploymentId), ProtocolJsonContext.Default.RevisionListResponse);
        Assert.Equal([1L, 2L], revisions.Revisions.Select(r => r.Revision));
        Assert.All(revisions.Revisions, r => Assert.True(r.Healthy));
    }

    [Fact]
    public async Task ARevisionWhoseAgentsNeverRunStopsAfterItsFirstBatchAndIsRevertedAutomatically()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 4,
            new { max_parallel = 2, min_healthy_seconds = 1, healthy_deadline_seconds = 5, auto_revert = true });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);

        world.FailingRevision = 2;
        await world.PutSpecAsync(created.DeploymentId, version: "bad");
        var mostOnBad = 0;
        var reverted = await world.DriveAsync(created.DeploymentId, v =>
        {
            mostOnBad = Math.Max(mostOnBad, v.Revisions.FirstOrDefault(r => r.Revision == 2)?.Placed ?? 0);
            return v.State == DeploymentStates.Reverted;
        });

        Assert.Equal(2, mostOnBad);
        Assert.Equal(1, reverted.Revision);
        Assert.Equal(1, reverted.StableRevision);
        Assert.Equal(4, reverted.Revisions.Single(r => r.Revision == 1).Healthy);
        Assert.DoesNotContain(reverted.Revisions, r => r.Revision == 2 && r.Placed > 0);
        var audit = await world.Admin.GetJsonAsync(ManagerRoutes.Audit + "?action=deployment.reverted");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("target").GetString() == created.DeploymentId);
    }

    [Fact]
    public async Task ACanaryWaitsForPromoteAndThenTheRestFollow()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 3, new { max_parallel = 1, canary = 1, min_healthy_seconds = 1, healthy_deadline_seconds = 30 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);

        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var waiting = await world.DriveAsync(created.DeploymentId, v => v.AwaitingPromotion);
        Assert.Equal(1, waiting.Revisions.Single(r => r.Revision == 2).Placed);
        // Still waiting a while later: nothing moves without promote.
        for (var i = 0; i < 5; i++) waiting = await world.StepAsync(created.DeploymentId);
        Assert.Equal(1, waiting.Revisions.Single(r => r.Revision == 2).Placed);
        Assert.Equal(DeploymentStates.Running, waiting.State);

        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentPromote, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        var done = await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        Assert.Equal(3, done.Revisions.Single(r => r.Revision == 2).Healthy);
    }

    [Fact]
    public async Task WithAutoPromoteHealthyCanariesLetTheRestFollowWithoutAnOperator()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 3,
            new { max_parallel = 1, canary = 1, auto_promote = true, min_healthy_seconds = 1, healthy_deadline_seconds = 30 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var done = await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        Assert.Equal(3, done.Revisions.Single(r => r.Revision == 2).Healthy);
    }

    [Fact]
    public async Task ACanaryIsPlacedBesideTheOldAgentsWhenThereIsRoomAndOnPromoteOneOldAgentGoesAndTheRestFollowInPlace()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 3,
            new { max_parallel = 1, canary = 1, min_healthy_seconds = 1, healthy_deadline_seconds = 30, progress_deadline_seconds = 4 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();

        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var waiting = await world.DriveAsync(created.DeploymentId, v => v.AwaitingPromotion);
        // Healthy canaries wait for a person past the progress deadline (6 s on the manager's clock > 4 s).
        for (var i = 0; i < 10; i++) waiting = await world.StepAsync(created.DeploymentId);
        Assert.Equal((DeploymentStates.Running, true), (waiting.State, waiting.AwaitingPromotion));
        Assert.Equal((1, 3), (waiting.Revisions.Single(r => r.Revision == 2).Placed, waiting.Revisions.Single(r => r.Revision == 1).Placed));
        Assert.Equal((3, 1), (waiting.Revisions.Single(r => r.Revision == 1).Healthy, waiting.Revisions.Single(r => r.Revision == 2).Healthy));
        Assert.Contains("beside the old agents (3 + 1 agents until promote)", waiting.Description);
        // Replicas + 1 agents: every old one still there, untouched at epoch 1; the canary is a new agent of revision 2.
        var during = await world.AgentsAsync();
        Assert.Equal(4, during.Count);
        Assert.All(before, old => Assert.Contains(during, a => a.AgentId == old.AgentId && a.Epoch == 1 && Build(a) == "1"));
        var canary = Assert.Single(during, a => before.All(old => old.AgentId != a.AgentId));
        Assert.Equal((1L, "2", created.DeploymentId), (canary.Epoch, Build(canary), canary.DeploymentId));

        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentPromote, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        var most = 0;
        var done = await world.DriveAsync(created.DeploymentId, v =>
        {
            most = Math.Max(most, v.Revisions.Sum(r => r.Placed));
            return v.State == DeploymentStates.Successful;
        });
        Assert.True(most <= 4, $"never more than replicas + 1 agents; saw {most}");
        Assert.Equal((3, 3), (done.Revisions.Single(r => r.Revision == 2).Healthy, done.Revisions.Sum(r => r.Placed)));
        // Exactly replicas agents, all on revision 2: the canary, and two old agents updated in place; one old agent went.
        var after = await world.AgentsAsync();
        Assert.Equal(3, after.Count);
        Assert.All(after, a => Assert.Equal("2", Build(a)));
        Assert.Contains(after, a => a.AgentId == canary.AgentId && a.Epoch == 1);
        var kept = after.Where(a => a.AgentId != canary.AgentId).ToList();
        Assert.Equal(2, kept.Count);
        Assert.All(kept, a => Assert.Contains(before, old => old.AgentId == a.AgentId && old.ContainerId == a.ContainerId && a.Epoch == 2));
        var replaced = Assert.Single(before, old => after.All(a => a.AgentId != old.AgentId));
        var audit = await world.Admin.GetFromJsonAsync(ManagerRoutes.Audit + "?target=" + replaced.AgentId, ProtocolJsonContext.Default.AuditPage);
        Assert.Contains(audit!.Entries, e => e.Action == "stop" && e.Actor == "rollout" && e.Outcome == "success");
    }

    [Fact]
    public async Task ACanaryIsUpdatedInPlaceWhenNoContainerHasRoomBesideTheOldAgents()
    {
        var world = await WorldAsync(maxAgents: 2);
        var created = await world.CreateAsync(replicas: 4, new { max_parallel = 1, canary = 1, min_healthy_seconds = 1, healthy_deadline_seconds = 30 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();

        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var waiting = await world.DriveAsync(created.DeploymentId, v => v.AwaitingPromotion);
        Assert.DoesNotContain("beside", waiting.Description);
        var during = await world.AgentsAsync();
        Assert.Equal(before.Select(a => a.AgentId).Order(), during.Select(a => a.AgentId).Order());
        var canary = Assert.Single(during, a => Build(a) == "2");
        Assert.Equal(2, canary.Epoch);

        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentPromote, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var after = await world.AgentsAsync();
        Assert.Equal(before.Select(a => (a.AgentId, a.ContainerId)).Order(), after.Select(a => (a.AgentId, a.ContainerId)).Order());
        Assert.All(after, a => Assert.Equal((2L, "2"), (a.Epoch, Build(a))));
    }

    [Fact]
    public async Task AFailedCanaryBesideTheOldAgentsIsRemovedByAutoRevertAndTheOldAgentsWereNeverTouched()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 3,
            new { max_parallel = 1, canary = 1, min_healthy_seconds = 1, healthy_deadline_seconds = 5, auto_revert = true });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();

        world.FailingRevision = 2;
        await world.PutSpecAsync(created.DeploymentId, version: "bad");
        var most = 0;
        var reverted = await world.DriveAsync(created.DeploymentId, v =>
        {
            most = Math.Max(most, v.Revisions.Sum(r => r.Placed));
            return v.State == DeploymentStates.Reverted;
        });
        Assert.Equal(4, most);
        Assert.Equal((1L, 3), (reverted.Revision, reverted.Revisions.Single(r => r.Revision == 1).Healthy));
        var after = await world.AgentsAsync();
        Assert.Equal(before.Select(a => (a.AgentId, a.ContainerId)).Order(), after.Select(a => (a.AgentId, a.ContainerId)).Order());
        Assert.All(after, a => Assert.Equal((1L, "1"), (a.Epoch, Build(a))));
        Assert.All(await world.AssignmentsAsync(), a => Assert.Equal((1L, 1L), (a.Epoch, a.Revision ?? 0)));
    }

    [Fact]
    public async Task AnOperatorsRevertDuringTheCanaryPhaseRemovesTheCanaryBesideTheOldAgentsAndADeleteRemovesCanariesToo()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 2, new { max_parallel = 1, canary = 1, min_healthy_seconds = 1, healthy_deadline_seconds = 30 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();
        await world.PutSpecAsync(created.DeploymentId, version: "2");
        await world.DriveAsync(created.DeploymentId, v => v.AwaitingPromotion);
        Assert.Equal(3, (await world.AgentsAsync()).Count);

        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentRevert, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        var reverted = await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Reverted);
        Assert.Equal((1L, 2), (reverted.Revision, reverted.Revisions.Sum(r => r.Placed)));
        var after = await world.AgentsAsync();
        Assert.Equal(before.Select(a => a.AgentId).Order(), after.Select(a => a.AgentId).Order());
        Assert.All(after, a => Assert.Equal((1L, "1"), (a.Epoch, Build(a))));

        // A new canary beside them, then the deployment is deleted mid-phase: no agent of it is left, canary included.
        await world.PutSpecAsync(created.DeploymentId, version: "3");
        await world.DriveAsync(created.DeploymentId, v => v.Revisions.Sum(r => r.Placed) == 3);
        (await world.Admin.DeleteAsync(Id(ManagerRoutes.Deployment, created.DeploymentId))).EnsureSuccessStatusCode();
        Assert.Empty(await world.AgentsAsync());
    }

    [Fact]
    public async Task AnAgentAnOperatorStoppedDoesNotHoldUpARolloutAndStartsLaterOnTheNewRevision()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 3, new { max_parallel = 1, min_healthy_seconds = 1, healthy_deadline_seconds = 5 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var stopped = (await world.AgentsAsync()).OrderBy(a => a.AgentId, StringComparer.Ordinal).First().AgentId;
        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.AgentStop, stopped), new { })).EnsureSuccessStatusCode();
        await world.StepAsync(created.DeploymentId);

        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var sawNote = false;
        var ended = await world.DriveAsync(created.DeploymentId, v =>
        {
            sawNote |= v.Description?.Contains("1 stopped by an operator", StringComparison.Ordinal) == true;
            return v.State != DeploymentStates.Running;
        });
        Assert.True(ended.State == DeploymentStates.Successful, ended.Description);
        Assert.True(sawNote, "the description never named the stopped agent");
        Assert.Equal((3, 2, 0), (ended.Revisions.Single(r => r.Revision == 2).Placed, ended.Revisions.Single(r => r.Revision == 2).Healthy,
            ended.Revisions.Single(r => r.Revision == 2).Unhealthy));
        // Updated in place and still stopped: the new spec, the next epoch, desired_state kept.
        var assignment = (await world.AssignmentsAsync()).Single(a => a.AgentId == stopped);
        Assert.Equal((2L, 2L, AgentStates.Stopped), (assignment.Epoch, assignment.Revision ?? 0, assignment.DesiredState));
        Assert.Equal("2", assignment.AgentConfig.GetProperty("build").GetString());

        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.AgentStart, stopped), new { })).EnsureSuccessStatusCode();
        await world.StepAsync(created.DeploymentId);
        var started = (await world.AssignmentsAsync()).Single(a => a.AgentId == stopped);
        Assert.Equal((2L, 2L, (string?)null), (started.Epoch, started.Revision ?? 0, started.DesiredState));
        var agent = await world.Admin.GetAgentAsync(stopped);
        Assert.Equal((AgentStates.Running, "2"), (agent.State, Build(agent)));
    }

    [Fact]
    public async Task AKeepAgentOnALostNodeDoesNotFailTheRolloutOfAHealthyFleetAndHasTheNewRevisionWhenItsNodeReturns()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 4, new { max_parallel = 2, min_healthy_seconds = 1, healthy_deadline_seconds = 5 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();
        var lost = before[0].ContainerId;
        var onLost = before.Where(a => a.ContainerId == lost).Select(a => a.AgentId).ToList();
        Assert.True(onLost.Count < before.Count, "every agent on one container: nothing healthy left to roll out");
        await world.LoseAsync(lost);

        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var sawNote = false;
        var ended = await world.DriveAsync(created.DeploymentId, v =>
        {
            sawNote |= v.Description?.Contains($"{onLost.Count} wait", StringComparison.Ordinal) == true && v.Description.Contains("for a lost node");
            return v.State != DeploymentStates.Running;
        });
        Assert.True(ended.State == DeploymentStates.Successful, ended.Description);
        Assert.True(sawNote, "the description never said how many agents wait for a lost node");
        Assert.Equal(before.Count - onLost.Count, ended.Revisions.Single(r => r.Revision == 2).Healthy);
        var after = await world.AgentsAsync();
        Assert.Equal(before.Select(a => (a.AgentId, a.ContainerId)).Order(), after.Select(a => (a.AgentId, a.ContainerId)).Order());
        Assert.All(after, a => Assert.Equal((2L, "2"), (a.Epoch, Build(a))));
        Assert.All(after.Where(a => onLost.Contains(a.AgentId)), a => Assert.Equal(AgentStates.Unknown, a.State));

        // Its node comes back: the assignments it fetches are revision 2, and it runs them.
        world.Containers = [.. world.Containers, lost];
        await world.StepAsync(created.DeploymentId);
        Assert.All((await world.Admin.GetAssignmentsAsync(lost)).Assignments, a => Assert.Equal((2L, 2L), (a.Epoch, a.Revision ?? 0)));
        Assert.All(onLost, id => Assert.Equal(AgentStates.Running, world.Admin.GetAgentAsync(id).GetAwaiter().GetResult().State));
    }

    private static string? Build(AgentView agent) => agent.AgentConfig.GetProperty("build").GetString();

    [Fact]
    public async Task ARolloutHalfDoneWhenItsManagerStopsIsFinishedByAnotherWithNoAgentUpdatedTwiceOrSkipped()
    {
        // Manager 1 (its own host on the same Redis, its clock set to the fixture manager's) drives the first batches.
        var first = new ManagerFactory(fixture.Redis);
        if (first.Time.GetUtcNow() < Manager.Time.GetUtcNow()) first.Time.SetUtcNow(Manager.Time.GetUtcNow());
        var world = await WorldAsync(first);
        var created = await world.CreateAsync(replicas: 6, new { max_parallel = 2, min_healthy_seconds = 1, healthy_deadline_seconds = 60 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var half = await world.DriveAsync(created.DeploymentId, v => v.Revisions.FirstOrDefault(r => r.Revision == 2)?.Healthy >= 2);
        Assert.Equal(DeploymentStates.Running, half.State);
        Assert.True(half.Revisions.Single(r => r.Revision == 2).Placed < 6, "the rollout was not half done");
        await first.DisposeAsync();

        // The fixture's manager takes the lease over and finishes from what Redis holds.
        if (Manager.Time.GetUtcNow() < first.Time.GetUtcNow()) Manager.Time.SetUtcNow(first.Time.GetUtcNow());
        var second = new World(Manager, await Manager.CreateAdminClientAsync(), world.Type, world.Tenant) { Containers = world.Containers };
        var done = await second.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        Assert.Equal(6, done.Revisions.Single(r => r.Revision == 2).Healthy);
        // Each agent got exactly one update: epoch 1 placed, epoch 2 the new revision.
        Assert.All(await second.AgentsAsync(), a => Assert.Equal(2, a.Epoch));
        Assert.All(await second.AssignmentsAsync(), a => Assert.Equal((2L, 2L), (a.Epoch, a.Revision ?? 0)));
    }

    [Fact]
    public async Task ACanaryPhaseWhoseManagerStopsIsPromotedOnAnotherWhichReplacesExactlyOneOldAgent()
    {
        var first = new ManagerFactory(fixture.Redis);
        if (first.Time.GetUtcNow() < Manager.Time.GetUtcNow()) first.Time.SetUtcNow(Manager.Time.GetUtcNow());
        var world = await WorldAsync(first);
        var created = await world.CreateAsync(replicas: 3, new { max_parallel = 2, canary = 1, min_healthy_seconds = 1, healthy_deadline_seconds = 60 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();
        await world.PutSpecAsync(created.DeploymentId, version: "2");
        await world.DriveAsync(created.DeploymentId, v => v.AwaitingPromotion);
        Assert.Equal(4, (await world.AgentsAsync()).Count);
        await first.DisposeAsync();

        // The fixture's manager knows the canary from Redis alone: promote there replaces one old agent, not more.
        if (Manager.Time.GetUtcNow() < first.Time.GetUtcNow()) Manager.Time.SetUtcNow(first.Time.GetUtcNow());
        var second = new World(Manager, await Manager.CreateAdminClientAsync(), world.Type, world.Tenant) { Containers = world.Containers };
        (await second.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentPromote, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        var done = await second.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        Assert.Equal((3, 3), (done.Revisions.Sum(r => r.Placed), done.Revisions.Single(r => r.Revision == 2).Healthy));
        var after = await second.AgentsAsync();
        Assert.Equal(2, after.Count(a => before.Any(old => old.AgentId == a.AgentId)));
        Assert.All(after, a => Assert.Equal("2", Build(a)));
    }

    [Fact]
    public async Task PausedRolloutsUpdateNothingUntilResumed()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 3, new { max_parallel = 1, min_healthy_seconds = 1 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        await world.PutSpecAsync(created.DeploymentId, version: "2");
        var paused = await (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentPause, created.DeploymentId), new { }))
            .ReadAsync(ProtocolJsonContext.Default.DeploymentView);
        Assert.Equal(DeploymentStates.Paused, paused.State);
        var onNew = (await world.StepAsync(created.DeploymentId)).Revisions.FirstOrDefault(r => r.Revision == 2)?.Placed ?? 0;
        for (var i = 0; i < 6; i++) Assert.Equal(onNew, (await world.StepAsync(created.DeploymentId)).Revisions.FirstOrDefault(r => r.Revision == 2)?.Placed ?? 0);

        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentResume, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var again = await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentResume, created.DeploymentId), new { });
        Assert.Equal(DeploymentStates.Successful, (await world.Admin.GetAsync(Id(ManagerRoutes.Deployment, created.DeploymentId), ProtocolJsonContext.Default.DeploymentView)).State);
        Assert.True(ProblemTypes.DeploymentConflict.Matches(await again.AssertProblemAsync(409), 409));
    }

    [Fact]
    public async Task ARolloutWaitsWhileItsTenantsMaintenanceWindowIsClosedAndGoesOnOnceItOpens()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 3, new { max_parallel = 1, min_healthy_seconds = 1 });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var maintenance = Id(ManagerRoutes.TenantMaintenance, world.Tenant);
        (await world.Admin.PutAsJsonAsync(maintenance, DailyWindow(openNow: false))).EnsureSuccessStatusCode();

        await world.PutSpecAsync(created.DeploymentId, version: "2");
        for (var i = 0; i < 5; i++)
        {
            var waiting = await world.StepAsync(created.DeploymentId);
            Assert.Equal(DeploymentStates.Running, waiting.State);
            Assert.Equal(0, waiting.Revisions.FirstOrDefault(r => r.Revision == 2)?.Placed ?? 0);
            Assert.StartsWith(MaintenanceStates.WaitingForWindow, waiting.Description);
        }

        (await world.Admin.PutAsJsonAsync(maintenance, DailyWindow(openNow: true))).EnsureSuccessStatusCode();
        var done = await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        Assert.Equal(2, done.StableRevision);
        Assert.Equal(3, done.Revisions.Single(r => r.Revision == 2).Healthy);
    }

    // Every day, two hours from half an hour ago (open now) or from an hour ahead (closed now), on the manager's clock.
    private object DailyWindow(bool openNow)
    {
        var now = Manager.Time.GetUtcNow().UtcDateTime;
        var start = openNow ? now.AddMinutes(-30) : now.AddHours(1);
        return new
        {
            time_zone = "UTC",
            windows = new[] { new { days = MaintenanceDays.All, start = start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), duration_minutes = 120 } },
        };
    }

    [Fact]
    public async Task RotatingASecretRestartsTheDeploymentsUsingItInPlaceInBatchesAndSoDoesARestartCall()
    {
        var world = await WorldAsync();
        var secret = "key-" + Guid.NewGuid().ToString("N")[..8];
        var path = ManagerRoutes.TenantSecret.Replace("{id}", world.Tenant).Replace("{name}", secret);
        (await world.Admin.PutAsJsonAsync(path, new { value = "first" })).EnsureSuccessStatusCode();
        var created = await world.CreateAsync(replicas: 4, new { max_parallel = 2, min_healthy_seconds = 1 },
            new { build = "1", secrets = new Dictionary<string, string> { ["EXCHANGE_API_KEY"] = secret } });
        await world.DriveAsync(created.DeploymentId, v => v.State == DeploymentStates.Successful);
        var before = await world.AgentsAsync();
        Assert.All(before, a => Assert.Equal(1, a.Epoch));

        (await world.Admin.PutAsJsonAsync(path, new { value = "second" })).EnsureSuccessStatusCode();
        var notHealthy = 0;
        async Task<DeploymentView> RestartedAsync(long epoch) => await world.DriveAsync(created.DeploymentId, v =>
        {
            notHealthy = Math.Max(notHealthy, v.Replicas - v.Revisions.Single(r => r.Revision == 1).Healthy);
            return v.State == DeploymentStates.Successful && world.AgentsAsync().GetAwaiter().GetResult().All(a => a.Epoch == epoch);
        });
        var rotated = await RestartedAsync(2);
        Assert.Equal(1, rotated.Revision);
        Assert.InRange(notHealthy, 1, 2); // restarted, never more than max_parallel at once
        var after = await world.AgentsAsync();
        Assert.Equal(before.Select(a => (a.AgentId, a.ContainerId)).Order(), after.Select(a => (a.AgentId, a.ContainerId)).Order());

        // The same rolling restart on an operator's call, audited.
        (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentRestart, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        await RestartedAsync(3);
        var audit = await world.Admin.GetFromJsonAsync(ManagerRoutes.Audit + "?limit=1000", ProtocolJsonContext.Default.AuditPage);
        Assert.Equal(2, audit!.Entries.Count(e => e.Action == "deployment.restart" && e.Target == created.DeploymentId && e.Outcome == "success"));
    }

    [Fact]
    public async Task TheSeedDeployCallKeepsItsAnswerAndMakesADeploymentOfOneRevisionUnderItsId()
    {
        var world = await WorldAsync();
        var deployed = await world.Admin.DeployOkAsync(new { agent_type = world.Type, agent_config = new { build = "1" }, replicas = 2,
            constraints = new { orchestrator_id = world.Tenant } });
        Assert.StartsWith("dep-", deployed.DeploymentId);
        var view = await world.Admin.GetAsync(Id(ManagerRoutes.Deployment, deployed.DeploymentId), ProtocolJsonContext.Default.DeploymentView);
        Assert.Equal(deployed.DeploymentId, view.Name);
        Assert.Equal((DeploymentStates.Successful, 1L), (view.State, view.StableRevision));
        Assert.Equal(1, view.Revision);
        Assert.Equal(2, view.Replicas);
        Assert.Equal(world.Tenant, view.Tenant);
        Assert.Equal(2, view.Revisions.Single().Placed);
        var assignments = await world.AssignmentsAsync();
        Assert.All(deployed.Agents, a => Assert.Contains(assignments, x => x.AgentId == a.AgentId && x.DeploymentId == deployed.DeploymentId && x.Revision == 1));
    }

    [Fact]
    public async Task ScalingUpPlacesAgentsOfTheCurrentRevisionAndScalingDownRemovesTheSurplus()
    {
        var world = await WorldAsync();
        var created = await world.CreateAsync(replicas: 2, new { min_healthy_seconds = 1 });
        var up = await world.Admin.PutAsJsonAsync(Id(ManagerRoutes.Deployment, created.DeploymentId), new { replicas = 4 });
        Assert.Equal(4, (await up.ReadAsync(ProtocolJsonContext.Default.DeploymentView)).Revisions.Single().Placed);
        Assert.Equal(4, (await world.AgentsAsync()).Count);
        var down = await world.Admin.PutAsJsonAsync(Id(ManagerRoutes.Deployment, created.DeploymentId), new { replicas = 1 });
        Assert.Equal(1, (await down.ReadAsync(ProtocolJsonContext.Default.DeploymentView)).Revisions.Single().Placed);
        Assert.Single(await world.AgentsAsync());

        (await world.Admin.DeleteAsync(Id(ManagerRoutes.Deployment, created.DeploymentId))).EnsureSuccessStatusCode();
        Assert.Empty(await world.AgentsAsync());
        Assert.True(ProblemTypes.UnknownDeployment.Matches(
            await (await world.Admin.GetAsync(Id(ManagerRoutes.Deployment, created.DeploymentId))).AssertProblemAsync(404), 404));
    }

    [Fact]
    public async Task BadDeploymentInputIsAProblemNamingEachField()
    {
        var world = await WorldAsync();
        var bad = await world.Admin.PostAsJsonAsync(ManagerRoutes.Deployments, new
        {
            name = "has spaces", tenant = world.Tenant, replicas = 0, spec = new { agent_config = new { } },
            update = new { max_parallel = 0, min_healthy_seconds = -1 },
        });
        var problem = await bad.AssertProblemAsync(400);
        foreach (var field in new[] { "name", "spec.agent_type", "update.max_parallel", "update.min_healthy_seconds" })
            Assert.True(problem.Names(field), $"{field} not named: {problem.Named()}");

        var noSpec = await (await world.Admin.PostAsJsonAsync(ManagerRoutes.Deployments, new { name = "x", tenant = world.Tenant })).AssertProblemAsync(400);
        Assert.True(noSpec.Names("spec"), noSpec.Named());

        var created = await world.CreateAsync(replicas: 1, new { min_healthy_seconds = 1 });
        var revert = await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentRevert, created.DeploymentId) + "?revision=99", new { });
        Assert.True((await revert.AssertProblemAsync(400)).Names("revision"));
        // A new spec while revision 1 still rolls out (nothing reported it running yet) is a conflict, not a second rollout.
        var busy = await world.Admin.PutAsJsonAsync(Id(ManagerRoutes.Deployment, created.DeploymentId),
            new { spec = new { agent_type = world.Type, agent_config = new { build = "2" } } });
        Assert.True(ProblemTypes.DeploymentConflict.Matches(await busy.AssertProblemAsync(409), 409));
        var badPut = await world.Admin.PutAsJsonAsync(Id(ManagerRoutes.Deployment, created.DeploymentId), new { replicas = -1, update = new { canary = -2 } });
        var putProblem = await badPut.AssertProblemAsync(400);
        Assert.True(putProblem.Names("replicas") && putProblem.Names("update.canary"), putProblem.Named());
    }

    [Fact]
    public async Task RestartGivesTheAgentItsNextEpochWithTheSameSpecOnTheSameContainerAndIsAudited()
    {
        var world = await WorldAsync();
        var agent = (await world.Admin.DeployOkAsync(new { agent_type = world.Type, agent_config = new { build = "1" },
            constraints = new { orchestrator_id = world.Tenant } })).Agents.Single();

        var restarted = await (await world.Admin.PostAsync(Id(ManagerRoutes.AgentRestart, agent.AgentId), null))
            .ReadAsync(ProtocolJsonContext.Default.RestartAgentResponse);
        Assert.Equal(2, restarted.Epoch);
        Assert.False(restarted.Force);
        var forced = await (await world.Admin.PostAsJsonAsync(Id(ManagerRoutes.AgentRestart, agent.AgentId), new { force = true }))
            .ReadAsync(ProtocolJsonContext.Default.RestartAgentResponse);
        Assert.Equal(3, forced.Epoch);

        var assignment = (await world.AssignmentsAsync()).Single(a => a.AgentId == agent.AgentId);
        Assert.Equal(3, assignment.Epoch);
        Assert.True(assignment.Force);
        Assert.Equal("1", assignment.AgentConfig.GetProperty("build").GetString());
        var view = await world.Admin.GetAgentAsync(agent.AgentId);
        Assert.Equal((agent.ContainerId, 3L), (view.ContainerId, view.Epoch));
        var audit = await world.Admin.GetJsonAsync(ManagerRoutes.Audit + "?target=" + agent.AgentId);
        var actions = audit.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("agent.restart", actions);
        Assert.Contains("agent.restart.forced", actions);

        var badBody = await world.Admin.PostAsync(Id(ManagerRoutes.AgentRestart, agent.AgentId),
            new StringContent("""{"force":"yes"}""", System.Text.Encoding.UTF8, "application/json"));
        await badBody.AssertProblemAsync(400);
        Assert.Equal(3, (await world.Admin.GetAgentAsync(agent.AgentId)).Epoch);

        var unknown = await world.Admin.PostAsync(Id(ManagerRoutes.AgentRestart, "agt-0000000000000000"), null);
        Assert.True(ProblemTypes.UnknownAgent.Matches(await unknown.AssertProblemAsync(404), 404));
    }

    private static string Id(string template, string id) => ManagerRoutes.WithId(template, id);

    private async Task<World> WorldAsync(ManagerFactory? manager = null, int maxAgents = 10)
    {
        manager ??= Manager;
        var admin = await manager.CreateAdminClientAsync();
        var world = new World(manager, admin, SchedulingClient.UniqueType(), "dep-" + Guid.NewGuid().ToString("N")[..8]);
        world.Containers = [await admin.RegisterAsync(world.Type, world.Tenant, maxAgents: maxAgents), await admin.RegisterAsync(world.Type, world.Tenant, maxAgents: maxAgents)];
        return world;
    }

    // One test's tenant, agent type and two containers, and the node's part: reports and heartbeats.
    private sealed class World(ManagerFactory manager, HttpClient admin, string type, string tenant)
    {
        public HttpClient Admin => admin;
        public string Type => type;
        public string Tenant => tenant;
        public IReadOnlyList<string> Containers { get; set; } = [];
        // Agents of this revision are reported failed (a bad build), the others running.
        public long? FailingRevision { get; set; }

        public async Task<DeploymentView> CreateAsync(int replicas, object update, object? config = null)
        {
            var response = await admin.PostAsJsonAsync(ManagerRoutes.Deployments, new
            {
                name = "bot-" + tenant, tenant, replicas, spec = new { agent_type = type, agent_config = config ?? new { build = "1" }, version = "1" }, update,
            });
            Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
            return await response.ReadAsync(ProtocolJsonContext.Default.DeploymentView);
        }

        public async Task<DeploymentView> PutSpecAsync(string id, string version)
        {
            var response = await admin.PutAsJsonAsync(Id(ManagerRoutes.Deployment, id),
                new { spec = new { agent_type = type, agent_config = new { build = version }, version } });
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return await response.ReadAsync(ProtocolJsonContext.Default.DeploymentView);
        }

        public async Task<IReadOnlyList<AgentView>> AgentsAsync() => (await admin.ListAgentsAsync("?agent_type=" + type)).Agents;

        public async Task<IReadOnlyList<Assignment>> AssignmentsAsync()
        {
            var all = new List<Assignment>();
            foreach (var container in Containers) all.AddRange((await admin.GetAssignmentsAsync(container)).Assignments);
            return all;
        }

        // One round of the nodes' part (heartbeats, every agent's state at its current epoch), then 0.6 s on the
        // manager's clock (one rollout pass), then the deployment as it stands once that pass has run.
        public async Task<DeploymentView> StepAsync(string id)
        {
            foreach (var container in Containers)
            {
                (await admin.PostAsJsonAsync(Id(ManagerRoutes.Heartbeat, container), Registrations.Heartbeat(container))).EnsureSuccessStatusCode();
                var assignments = (await admin.GetAssignmentsAsync(container)).Assignments;
                var agents = assignments.Select(a => new
                {
                    agent_id = a.AgentId, epoch = a.Epoch, restarts = 0,
                    // A node keeps an agent an operator stopped stopped, whatever its spec.
                    state = a.DesiredState == AgentStates.Stopped ? AgentStates.Stopped
                        : a.Revision == FailingRevision ? AgentStates.Failed : AgentStates.Running,
                }).ToList();
                (await admin.PostAsJsonAsync(Id(ManagerRoutes.AgentReport, container), new { container_id = container, agents })).EnsureSuccessStatusCode();
            }
            manager.Time.Advance(TimeSpan.FromMilliseconds(600));
            // The pass runs on its own timer: wait until one ran on the moved clock.
            var moved = manager.Time.GetUtcNow();
            var rollouts = manager.Services.GetRequiredService<RolloutState>();
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (!(rollouts.LastPassAt >= moved) && DateTime.UtcNow < until) await Task.Delay(10);
            return await ReadAsync(id);
        }

        // The container's node goes silent: the others keep beating while the manager's clock passes its lost window.
        public async Task LoseAsync(string container)
        {
            Containers = Containers.Where(c => c != container).ToList();
            var interval = TimeSpan.FromSeconds(30); // ManagerFactory's HeartbeatInterval
            for (var i = 0; i < 4; i++)
            {
                foreach (var beating in Containers)
                    (await admin.PostAsJsonAsync(Id(ManagerRoutes.Heartbeat, beating), Registrations.Heartbeat(beating))).EnsureSuccessStatusCode();
                manager.Time.Advance(interval);
                await manager.Services.GetRequiredService<Orchestrator.Manager.Containers.LivenessSweeper>().SweepAsync();
            }
            Assert.Equal(ContainerStatus.Lost, (await admin.GetContainerAsync(container)).Status);
        }

        public async Task<DeploymentView> DriveAsync(string id, Func<DeploymentView, bool> until)
        {
            var deadline = DateTime.UtcNow + Deadline;
            DeploymentView view;
            do
            {
                view = await StepAsync(id);
                if (until(view)) return view;
            }
            while (DateTime.UtcNow < deadline);
            Assert.Fail($"deployment {id} did not get there: {JsonSerializer.Serialize(view, ProtocolJsonContext.Default.DeploymentView)}");
            return view;
        }

        private Task<DeploymentView> ReadAsync(string id) => admin.GetAsync(Id(ManagerRoutes.Deployment, id), ProtocolJsonContext.Default.DeploymentView);
    }
}
