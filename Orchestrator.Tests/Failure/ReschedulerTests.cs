using Orchestrator.Manager.Containers;
using Orchestrator.Protocol;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Recovery;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;
using StackExchange.Redis;

namespace Orchestrator.Tests.Failure;

// The rescheduler and the startup grace in-process on a fake clock, against a real redis-server of their own.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class ReschedulerTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly RedisHost _redis = new();
    private ManagerFactory _manager = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        // The hosted monitor's timer never fires: each test sweeps and reschedules by hand.
        _manager = new ManagerFactory(_redis, new() { ["Manager:LivenessCheckPeriod"] = "1.00:00:00" });
        _admin = await _manager.CreateAdminClientAsync();
    }

    [Fact]
    public async Task ARescheduleAgentWithNowhereToGoStaysOnItsLostContainerAndMovesOnceAContainerHasRoom()
    {
        var type = SchedulingClient.UniqueType();
        var quiet = await _admin.RegisterAsync(type, "1", maxAgents: 1);
        var movable = (await _admin.DeployOkAsync(new { agent_type = type, on_cluster_loss = "reschedule", constraints = new { orchestrator_id = "1" } })).Agents[0].AgentId;
        // Both of one tenant: a pinned agent only ever moves within its orchestrator_id (TenantPlacementTests).
        var busy = await _admin.RegisterAsync(type, "1", maxAgents: 1);
        var filler = (await _admin.DeployOkAsync(new { agent_type = type, constraints = new { orchestrator_id = "1" } })).Agents[0].AgentId;
        var rescheduler = _manager.Services.GetRequiredService<Rescheduler>();

        // quiet goes lost, busy keeps beating; then RescheduleAfter (90 s) passes.
        for (var i = 0; i < 8; i++) await BeatAndAdvanceAsync(busy, Interval);
        Assert.Equal("lost", (await _admin.GetContainerAsync(quiet)).Status);
        Assert.Equal(0, await rescheduler.PassAsync());
        var stuck = await _admin.GetAgentAsync(movable);
        Assert.Equal(quiet, stuck.ContainerId);
        Assert.Equal("unknown", stuck.State);

        Assert.True((await _admin.DeleteAsync($"/api/v1/cluster/agents/{filler}")).IsSuccessStatusCode);
        await BeatAndAdvanceAsync(busy, TimeSpan.FromSeconds(1));
        await rescheduler.PassAsync();
        var moved = await _admin.GetAgentAsync(movable);
        Assert.Equal(busy, moved.ContainerId);
        Assert.Equal(2, moved.Epoch);
        Assert.Equal("1", moved.OrchestratorId);
        Assert.Equal(0, await _admin.AssignedAsync(quiet));
        Assert.Equal(1, await _admin.AssignedAsync(busy));
        var delivered = await _admin.GetAssignmentsAsync(busy);
        var assignment = Assert.Single(delivered.Assignments);
        Assert.Equal(2, assignment.Epoch);
        Assert.Empty((await _admin.GetAssignmentsAsync(quiet)).Assignments);
    }

    [Fact]
    public async Task KeepAgentsAndAgentsOfAContainerThatCameBackAreNeverMoved()
    {
        var type = SchedulingClient.UniqueType();
        var flaky = await _admin.RegisterAsync(type, "1", maxAgents: 5);
        var steady = await _admin.RegisterAsync(type, "2", maxAgents: 5);
        var keep = (await _admin.DeployOkAsync(new { agent_type = type, constraints = new { orchestrator_id = "1" } })).Agents[0].AgentId;
        var movable = (await _admin.DeployOkAsync(new { agent_type = type, on_cluster_loss = "reschedule", constraints = new { orchestrator_id = "1" } })).Agents[0].AgentId;
        var rescheduler = _manager.Services.GetRequiredService<Rescheduler>();

        for (var i = 0; i < 4; i++) await BeatAndAdvanceAsync(steady, Interval);
        Assert.Equal("lost", (await _admin.GetContainerAsync(flaky)).Status);
        await BeatAndAdvanceAsync(flaky, TimeSpan.FromSeconds(1)); // back before RescheduleAfter ran out
        for (var i = 0; i < 4; i++) await BeatAndAdvanceAsync(steady, Interval, alsoBeat: flaky);
        await rescheduler.PassAsync();

        foreach (var agent in new[] { keep, movable })
        {
            var view = await _admin.GetAgentAsync(agent);
            Assert.Equal(flaky, view.ContainerId);
            Assert.Equal(1, view.Epoch);
        }
    }

    [Fact]
    public async Task AFreshlyStartedManagerMarksNothingLostWithinOneLostWindow()
    {
        var id = await _admin.RegisterAsync(SchedulingClient.UniqueType(), "1", maxAgents: 1);
        _manager.Time.Advance(Interval * 10);
        // A sweeper created now stands for a manager process that just started after a long outage.
        var sweeper = new LivenessSweeper(_manager.Services.GetRequiredService<IConnectionMultiplexer>(), _manager.Time,
            _manager.Services.GetRequiredService<IOptions<ManagerOptions>>());
        Assert.True(sweeper.InStartupGrace);
        await sweeper.SweepAsync();
        Assert.Equal("unhealthy", await StatusAsync(id));
        _manager.Time.Advance(Interval * 3 - TimeSpan.FromSeconds(1));
        await sweeper.SweepAsync();
        Assert.Equal("unhealthy", await StatusAsync(id));
        _manager.Time.Advance(TimeSpan.FromSeconds(1));
        await sweeper.SweepAsync();
        Assert.Equal("lost", await StatusAsync(id));
    }

    [Fact]
    public async Task MoreThanHalfOfTheContainersLostWithinOneWindowPausesReschedulingInClusterStatusUntilOneReturns()
    {
        var type = SchedulingClient.UniqueType();
        var ids = new List<string>();
        for (var i = 1; i <= 3; i++) ids.Add(await _admin.RegisterAsync(type, i.ToString(), maxAgents: 2));
        var rescheduler = _manager.Services.GetRequiredService<Rescheduler>();
        for (var i = 0; i < 4; i++) await BeatAndAdvanceAsync(ids[2], Interval);
        await rescheduler.PassAsync();

        var status = await _admin.GetStatusAsync();
        Assert.True(status.ReschedulingPaused);
        Assert.StartsWith("2 of 3 containers went lost", status.ReschedulingPausedReason);
        var health = await (await _manager.CreateClient().GetAsync("/health")).Content.ReadAsStringAsync();
        Assert.Contains("rescheduling paused", health);

        await BeatAndAdvanceAsync(ids[0], TimeSpan.FromSeconds(1));
        await rescheduler.PassAsync();
        status = await _admin.GetStatusAsync();
        Assert.False(status.ReschedulingPaused);
        Assert.Null(status.ReschedulingPausedReason);
    }

    private async Task BeatAndAdvanceAsync(string id, TimeSpan by, string? alsoBeat = null)
    {
        foreach (var beating in new[] { id, alsoBeat }.OfType<string>())
            (await _admin.PostAsJsonAsync($"/api/v1/cluster/containers/{beating}/heartbeat", Registrations.Heartbeat(beating))).EnsureSuccessStatusCode();
        _manager.Time.Advance(by);
        await _manager.Services.GetRequiredService<LivenessSweeper>().SweepAsync();
    }

    private async Task<string?> StatusAsync(string id) =>
        (await _admin.GetContainerAsync(id)).Status;

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _manager.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
