using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Recovery;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Scheduling;

// Stop/start and drain on the manager's side (issues 25, 27), over real HTTP against the real manager and redis-server:
// what the node is told (its assignment's desired_state and force), what the audit log records, bad input named.
[Trait(TestLevel.Name, TestLevel.Api)]
public class AgentStopStartApiTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task AForcedStopTellsTheNodeStoppedWithForceIsAuditedAsForcedAndStartClearsBoth()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var node = await admin.RegisterAsync(type, "1", 10);
        var agent = (await admin.DeployOkAsync(new { agent_type = type })).Agents.Single();
        var epoch = Assert.Single((await admin.GetAssignmentsAsync(node)).Assignments).Epoch;

        (await admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.AgentStop, agent.AgentId), new { force = true })).EnsureSuccessStatusCode();
        var stopped = Assert.Single((await admin.GetAssignmentsAsync(node)).Assignments);
        Assert.Equal((AgentStates.Stopped, (bool?)true, epoch), (stopped.DesiredState, stopped.Force, stopped.Epoch));

        // No body at all is a plain start.
        (await admin.PostAsync(ManagerRoutes.WithId(ManagerRoutes.AgentStart, agent.AgentId), null)).EnsureSuccessStatusCode();
        var started = Assert.Single((await admin.GetAssignmentsAsync(node)).Assignments);
        Assert.Equal((null, null, epoch), (started.DesiredState, started.Force, started.Epoch));

        var audit = await admin.GetFromJsonAsync(ManagerRoutes.Audit + "?limit=1000", ProtocolJsonContext.Default.AuditPage);
        Assert.Contains(audit!.Entries, e => e.Action == "agent.stop.forced" && e.Target == agent.AgentId && e.Outcome == "success");
        Assert.Contains(audit.Entries, e => e.Action == "agent.start" && e.Target == agent.AgentId && e.Outcome == "success");

        await (await admin.PostAsync(ManagerRoutes.WithId(ManagerRoutes.AgentStop, "agt-0000000000000000"), null)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task RestartingAStoppedAgentStartsItAtItsNextEpochAsDockerRestartDoes()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var node = await admin.RegisterAsync(type, "1", 10);
        var agent = (await admin.DeployOkAsync(new { agent_type = type })).Agents.Single();
        (await admin.PostAsync(ManagerRoutes.WithId(ManagerRoutes.AgentStop, agent.AgentId), null)).EnsureSuccessStatusCode();
        var stopped = Assert.Single((await admin.GetAssignmentsAsync(node)).Assignments);
        Assert.Equal(AgentStates.Stopped, stopped.DesiredState);

        (await admin.PostAsync(ManagerRoutes.WithId(ManagerRoutes.AgentRestart, agent.AgentId), null)).EnsureSuccessStatusCode();
        var restarted = Assert.Single((await admin.GetAssignmentsAsync(node)).Assignments);
        Assert.Equal(((string?)null, stopped.Epoch + 1), (restarted.DesiredState, restarted.Epoch));
    }

    [Fact]
    public async Task ADrainCordonsTheContainerShowsItsProgressAndNamesABadSetting()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var node = await admin.RegisterAsync(type, "1", 10);

        var bad = await (await admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerDrain, node), new { max_parallel = 0, deadline_seconds = 0 }))
            .AssertProblemAsync(400);
        Assert.True(bad.Errors?.ContainsKey("max_parallel") == true && bad.Errors.ContainsKey("deadline_seconds"), bad.Named());
        Assert.Equal(ContainerEligibility.Eligible, (await admin.GetContainerAsync(node)).Eligibility);

        var drained = await (await admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerDrain, node), new { max_parallel = 3, force = true }))
            .ReadAsync(ProtocolJsonContext.Default.ContainerView);
        Assert.Equal((ContainerEligibility.Ineligible, "draining"), (drained.Eligibility, drained.EligibilityReason));
        Assert.Equal((DrainStates.Draining, 3, true), (drained.Drain!.State, drained.Drain.MaxParallel, drained.Drain.Force));
        Assert.InRange(drained.Drain.Deadline - drained.Drain.StartedAt, TimeSpan.FromSeconds(3599), TimeSpan.FromSeconds(3601));
        var audit = await admin.GetFromJsonAsync(ManagerRoutes.Audit + "?limit=1000", ProtocolJsonContext.Default.AuditPage);
        Assert.Contains(audit!.Entries, e => e.Action == "container.drain.forced" && e.Target == node && e.Outcome == "success");
        Assert.Contains(audit.Entries, e => e.Action == "container.drain" && e.Target == node && e.Outcome == "refused");
    }

    [Fact]
    public async Task ADrainStopsNoAgentWhileItsTenantsMaintenanceWindowIsClosedAndGoesOnOnceItOpens()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var tenant = "win-" + Guid.NewGuid().ToString("N")[..8];
        var from = await admin.RegisterAsync(type, tenant, 10);
        var agent = (await admin.DeployOkAsync(new { agent_type = type, on_cluster_loss = "reschedule" })).Agents.Single();
        await admin.RegisterAsync(type, tenant, 10);
        var maintenance = ManagerRoutes.WithId(ManagerRoutes.TenantMaintenance, tenant);
        (await admin.PutAsJsonAsync(maintenance, DailyWindow(openNow: false))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerDrain, from), new { max_parallel = 1 })).EnsureSuccessStatusCode();
        var drains = Manager.Services.GetRequiredService<ContainerDrains>();

        await drains.PassAsync();
        Assert.True((await admin.GetContainerAsync(from)).Drain!.WaitingForWindow);
        Assert.Null(Assert.Single((await admin.GetAssignmentsAsync(from)).Assignments, a => a.AgentId == agent.AgentId).DesiredState);

        (await admin.PutAsJsonAsync(maintenance, DailyWindow(openNow: true))).EnsureSuccessStatusCode();
        await drains.PassAsync();
        Assert.False((await admin.GetContainerAsync(from)).Drain!.WaitingForWindow);
        Assert.Equal(AgentStates.Stopped, Assert.Single((await admin.GetAssignmentsAsync(from)).Assignments, a => a.AgentId == agent.AgentId).DesiredState);
    }

    [Fact]
    public async Task ADrainWithNowhereToGoShowsWaitingForCapacityStopsNothingAndGoesOnByItselfOnceAContainerIsEligible()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var type = SchedulingClient.UniqueType();
        var tenant = "cap-" + Guid.NewGuid().ToString("N")[..8];
        var from = await admin.RegisterAsync(type, tenant, 10);
        var agents = (await admin.DeployOkAsync(new { agent_type = type, on_cluster_loss = "reschedule", replicas = 2 })).Agents;
        Assert.Equal(2, agents.Count);
        // The only other container that fits is cordoned: the drain has nowhere to put them.
        var to = await admin.RegisterAsync(type, tenant, 10);
        var eligibility = ManagerRoutes.WithId(ManagerRoutes.ContainerEligibility, to);
        (await admin.PutAsJsonAsync(eligibility, new { eligibility = "ineligible", reason = "test" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerDrain, from), new { max_parallel = 1 })).EnsureSuccessStatusCode();
        var drains = Manager.Services.GetRequiredService<ContainerDrains>();

        await drains.PassAsync();
        var waiting = (await admin.GetContainerAsync(from)).Drain!;
        Assert.Equal((DrainStates.Draining, 2, 2, 0), (waiting.State, waiting.WaitingForCapacity, waiting.Remaining, waiting.Moving.Count));
        Assert.All((await admin.GetAssignmentsAsync(from)).Assignments, a => Assert.Null(a.DesiredState));
        var events = Manager.Services.GetRequiredService<EventStore>();
        await Deadline.PollAsync(async () => (await events.ReadAfterAsync("0-0", 10_000)).FirstOrDefault(e =>
            e.Type == ManagerEventTypes.ContainerDrain && e.ContainerId == from && e.Detail?.Contains("waiting_for_capacity 2") == true),
            TimeSpan.FromSeconds(10), "a container.drain event saying waiting_for_capacity 2");

        (await admin.PutAsJsonAsync(eligibility, new { eligibility = "eligible" })).EnsureSuccessStatusCode();
        await drains.PassAsync();
        var going = (await admin.GetContainerAsync(from)).Drain!;
        Assert.Equal((0, 1), (going.WaitingForCapacity, going.Moving.Count));
        Assert.Single((await admin.GetAssignmentsAsync(from)).Assignments, a => a.DesiredState == AgentStates.Stopped);
    }

    // Every day, two hours from half an hour ago (open now) or from an hour ahead (closed now), on the manager's clock.
    private object DailyWindow(bool openNow)
    {
        var now = Manager.Time.GetUtcNow().UtcDateTime;
        var start = openNow ? now.AddMinutes(-30) : now.AddHours(1);
        return new
        {
            time_zone = "UTC",
            windows = new[] { new { days = MaintenanceDays.All, start = start.ToString("HH:mm", CultureInfo.InvariantCulture), duration_minutes = 120 } },
        };
    }
}
