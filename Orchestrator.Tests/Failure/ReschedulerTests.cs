using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Liveness;
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
        var busy = await _admin.RegisterAsync(type, "2", maxAgents: 1);
        var movable = (await _admin.DeployOkAsync(new { agent_type = type, on_cluster_loss = "reschedule", constraints = new { orchestrator_id = "1" } }))
            .GetProperty("agents")[0].GetProperty("agent_id").GetString()!;
        var filler = (await _admin.DeployOkAsync(new { agent_type = type, constraints = new { orchestrator_id = "2" } }))
            .GetProperty("agents")[0].GetProperty("agent_id").GetString()!;
        var rescheduler = _manager.Services.GetRequiredService<Rescheduler>();

        // quiet goes lost, busy keeps beating; then RescheduleAfter (90 s) passes.
        for (var i = 0; i < 8; i++) await BeatAndAdvanceAsync(busy, Interval);
        Assert.Equal("lost", (await _admin.GetJsonAsync($"/api/v1/cluster/containers/{quiet}")).GetProperty("status").GetString());
        Assert.Equal(0, await rescheduler.PassAsync());
        var stuck = await _admin.GetJsonAsync($"/api/v1/cluster/agents/{movable}");
        Assert.Equal(quiet, stuck.GetProperty("container_id").GetString());
        Assert.Equal("unknown", stuck.GetProperty("state").GetString());

        Assert.True((await _admin.DeleteAsync($"/api/v1/cluster/agents/{filler}")).IsSuccessStatusCode);
        await BeatAndAdvanceAsync(busy, TimeSpan.FromSeconds(1));
        await rescheduler.PassAsync();
        var moved = await _admin.GetJsonAsync($"/api/v1/cluster/agents/{movable}");
        Assert.Equal(busy, moved.GetProperty("container_id").GetString());
        Assert.Equal(2, moved.GetProperty("epoch").GetInt64());
        Assert.Equal("2", moved.GetProperty("orchestrator_id").GetString());
        Assert.Equal(0, await _admin.AssignedAsync(quiet));
        Assert.Equal(1, await _admin.AssignedAsync(busy));
        var delivered = await _admin.GetJsonAsync($"/api/v1/cluster/containers/{busy}/assignments?wait=0");
        var assignment = Assert.Single(delivered.GetProperty("assignments").EnumerateArray());
        Assert.Equal(2, assignment.GetProperty("epoch").GetInt64());
        Assert.Empty((await _admin.GetJsonAsync($"/api/v1/cluster/containers/{quiet}/assignments?wait=0")).GetProperty("assignments").EnumerateArray());
    }

    [Fact]
    public async Task KeepAgentsAndAgentsOfAContainerThatCameBackAreNeverMoved()
    {
        var type = SchedulingClient.UniqueType();
        var flaky = await _admin.RegisterAsync(type, "1", maxAgents: 5);
        var steady = await _admin.RegisterAsync(type, "2", maxAgents: 5);
        var keep = (await _admin.DeployOkAsync(new { agent_type = type, constraints = new { orchestrator_id = "1" } }))
            .GetProperty("agents")[0].GetProperty("agent_id").GetString()!;
        var movable = (await _admin.DeployOkAsync(new { agent_type = type, on_cluster_loss = "reschedule", constraints = new { orchestrator_id = "1" } }))
            .GetProperty("agents")[0].GetProperty("agent_id").GetString()!;
        var rescheduler = _manager.Services.GetRequiredService<Rescheduler>();

        for (var i = 0; i < 4; i++) await BeatAndAdvanceAsync(steady, Interval);
        Assert.Equal("lost", (await _admin.GetJsonAsync($"/api/v1/cluster/containers/{flaky}")).GetProperty("status").GetString());
        await BeatAndAdvanceAsync(flaky, TimeSpan.FromSeconds(1)); // back before RescheduleAfter ran out
        for (var i = 0; i < 4; i++) await BeatAndAdvanceAsync(steady, Interval, alsoBeat: flaky);
        await rescheduler.PassAsync();

        foreach (var agent in new[] { keep, movable })
        {
            var view = await _admin.GetJsonAsync($"/api/v1/cluster/agents/{agent}");
            Assert.Equal(flaky, view.GetProperty("container_id").GetString());
            Assert.Equal(1, view.GetProperty("epoch").GetInt64());
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

        var status = await _admin.GetJsonAsync("/api/v1/cluster/status");
        Assert.True(status.GetProperty("rescheduling_paused").GetBoolean());
        Assert.StartsWith("2 of 3 containers went lost", status.GetProperty("rescheduling_paused_reason").GetString());
        var health = await (await _manager.CreateClient().GetAsync("/health")).Content.ReadAsStringAsync();
        Assert.Contains("rescheduling paused", health);

        await BeatAndAdvanceAsync(ids[0], TimeSpan.FromSeconds(1));
        await rescheduler.PassAsync();
        status = await _admin.GetJsonAsync("/api/v1/cluster/status");
        Assert.False(status.GetProperty("rescheduling_paused").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("rescheduling_paused_reason").ValueKind);
    }

    private async Task BeatAndAdvanceAsync(string id, TimeSpan by, string? alsoBeat = null)
    {
        foreach (var beating in new[] { id, alsoBeat }.OfType<string>())
            (await _admin.PostAsJsonAsync($"/api/v1/cluster/containers/{beating}/heartbeat", Registrations.Heartbeat(beating))).EnsureSuccessStatusCode();
        _manager.Time.Advance(by);
        await _manager.Services.GetRequiredService<LivenessSweeper>().SweepAsync();
    }

    private async Task<string?> StatusAsync(string id) =>
        (await _admin.GetJsonAsync($"/api/v1/cluster/containers/{id}")).GetProperty("status").GetString();

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _manager.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
