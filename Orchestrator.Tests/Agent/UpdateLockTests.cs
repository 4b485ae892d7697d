using System.Diagnostics;
using System.Text.Json.Nodes;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Agent;

// Update locks on real `process` agents (sh): the agent itself creates and removes
// $AGENT_DATA_DIR/.orchestrator/update.lock, the node waits for it, and force does not.
[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class UpdateLockTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("locks-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private AgentSupervisor Supervisor(int maxLockSeconds = 600) =>
        RuntimeHarness.Supervisor(TimeProvider.System, new RuntimeOptions
        {
            AllowedCommands = ["sh"], DataDirectory = _data, MaxLockSeconds = maxLockSeconds, StopTimeout = TimeSpan.FromSeconds(5),
        });

    // Takes its lock at start, writes "locked", then sleeps; releaseAfter: removes its own lock that many seconds after a "begin" file appears
    // in its data directory (the test's cue that its critical section starts).
    private static AgentDefinition Locking(string id, long epoch = 1, int? maxLockSeconds = null, int? releaseAfter = null, string version = "v1")
    {
        var release = releaseAfter is { } s
            ? $"(i=0; while [ ! -f \"$AGENT_DATA_DIR/begin\" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; sleep {s}; rm -f \"$AGENT_DATA_DIR/.orchestrator/update.lock\") & "
            : "";
        var config = new JsonObject
        {
            ["command"] = "sh",
            ["args"] = new JsonArray("-c",
                $"mkdir -p \"$AGENT_DATA_DIR/.orchestrator\"; touch \"$AGENT_DATA_DIR/.orchestrator/update.lock\"; echo locked {version}; {release}exec sleep 120"),
        };
        if (maxLockSeconds is { } max) config[UpdateLock.MaxSecondsField] = max;
        return new AgentDefinition(id, "process", config) { Epoch = epoch };
    }

    private string LockFile(string id) => UpdateLock.In(AgentDataDirectory.For(_data, id));

    private static async Task<int> Running(AgentSupervisor supervisor, string id, long epoch = 1)
    {
        var view = await supervisor.WaitForAsync(id, v => v.State == AgentStates.Running && v.Epoch == epoch && v.Figures["output"]?.AsArray().Count > 0, $"{id} running");
        return (int)view.Figures["pid"]!;
    }

    [Fact]
    public async Task AStopWaitsAsBlockedByLockUntilTheAgentRemovesItsLockAndKeepsItsData()
    {
        var supervisor = Supervisor();
        var agent = Locking("agt-lock");
        await supervisor.ReconcileAsync([agent]);
        var pid = await Running(supervisor, "agt-lock");

        await supervisor.ReconcileAsync([agent with { DesiredState = AgentStates.Stopped }]);
        var blocked = await supervisor.WaitForAsync("agt-lock", v => v.State == AgentStates.BlockedByLock && v.LockWaitedSeconds >= 1, "blocked_by_lock for a second");
        Assert.True(Directory.Exists($"/proc/{pid}"), "the locked agent still runs");
        Assert.Equal(AgentStates.BlockedByLock, blocked.ToReported().State);
        Assert.True(blocked.ToReported().LockWaitedSeconds >= 1);

        File.Delete(LockFile("agt-lock"));
        var stopped = await supervisor.WaitForAsync("agt-lock", v => v.State == AgentStates.Stopped, "stopped once the lock went");
        Assert.Contains("desired_state stopped", stopped.LastError);
        await Testing.Deadline.UntilAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), TimeSpan.FromSeconds(10), "the process to go");
        Assert.True(Directory.Exists(AgentDataDirectory.For(_data, "agt-lock")), "stopped, not deleted: its data directory stays");
    }

    [Fact]
    public async Task AStopGoesAheadWhenTheLockOutlastsMaxLockSecondsCappedByTheNode()
    {
        // The spec asks for an hour; the node caps it at 2 s.
        var supervisor = Supervisor(maxLockSeconds: 2);
        await supervisor.ReconcileAsync([Locking("agt-capped", maxLockSeconds: 3600)]);
        await Running(supervisor, "agt-capped");

        var clock = Stopwatch.StartNew();
        await supervisor.ReconcileAsync([]);
        await supervisor.WaitForAsync("agt-capped", v => v.State == AgentStates.BlockedByLock, "blocked_by_lock");
        await Testing.Deadline.UntilAsync(() => Task.FromResult(supervisor.Find("agt-capped") is null), TimeSpan.FromSeconds(30), "the capped stop");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.8), TimeSpan.FromSeconds(30));
        Assert.False(Directory.Exists(AgentDataDirectory.For(_data, "agt-capped")), "deleted: its data directory went with it");
    }

    [Fact]
    public async Task ForceStopsALockedAgentWithoutWaitingAlsoWhenItArrivesDuringTheWait()
    {
        var supervisor = Supervisor();
        var agent = Locking("agt-forced");
        var other = Locking("agt-forced-later");
        await supervisor.ReconcileAsync([agent, other]);
        await Running(supervisor, "agt-forced");
        await Running(supervisor, "agt-forced-later");

        // An update with force: the old version is stopped at once, never blocked_by_lock, and the new one starts.
        var clock = Stopwatch.StartNew();
        var update = Locking("agt-forced", epoch: 2, version: "v2") with { Force = true };
        await supervisor.ReconcileAsync([update, other with { DesiredState = AgentStates.Stopped }]);
        await Running(supervisor, "agt-forced", epoch: 2);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));

        // A stop already waiting for the lock goes ahead when force follows.
        await supervisor.WaitForAsync("agt-forced-later", v => v.State == AgentStates.BlockedByLock, "blocked_by_lock");
        await supervisor.ReconcileAsync([update, other with { DesiredState = AgentStates.Stopped, Force = true }]);
        await supervisor.WaitForAsync("agt-forced-later", v => v.State == AgentStates.Stopped, "stopped by the force");
        Assert.True(File.Exists(LockFile("agt-forced-later")), "it still held its lock: the force, not a release, stopped it");
        await supervisor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ALockHeldForThreeSecondsDelaysAnInPlaceUpdateByAboutThreeSeconds()
    {
        var supervisor = Supervisor();
        await supervisor.ReconcileAsync([Locking("agt-update", releaseAfter: 3)]);
        var pid = await Running(supervisor, "agt-update");

        // The agent enters its critical section (3 s from the "begin" file) as the update arrives: epoch 2, a new config.
        var clock = Stopwatch.StartNew();
        File.WriteAllText(Path.Combine(AgentDataDirectory.For(_data, "agt-update"), "begin"), "");
        await supervisor.ReconcileAsync([Locking("agt-update", epoch: 2, version: "v2")]);
        var blocked = await supervisor.WaitForAsync("agt-update", v => v.State == AgentStates.BlockedByLock, "blocked_by_lock");
        Assert.Equal(1, blocked.Epoch);
        await Running(supervisor, "agt-update", epoch: 2);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(20));
        Assert.False(Directory.Exists($"/proc/{pid}"), "the old version is gone");
        Assert.Equal("locked v2", (string?)supervisor.Find("agt-update")!.Figures["output"]![0]);
        await supervisor.StopAsync(CancellationToken.None);
    }
}
