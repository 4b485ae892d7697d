using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Agent;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class SupervisorTests
{
    // An agent type of the test's own whose workload crashes as soon as it runs.
    private sealed class CrashingType() : InProcessDriver(TimeProvider.System)
    {
        public int Starts;

        public override string Name => "crashing";

        public override IInProcessWorkload Create(AgentDefinition definition) => new Workload(this);

        private sealed class Workload(CrashingType type) : IInProcessWorkload
        {
            public Task RunAsync(CancellationToken stopping)
            {
                var start = Interlocked.Increment(ref type.Starts);
                throw new InvalidOperationException($"crash #{start}");
            }

            public void Kill() { }

            public JsonObject Figures() => [];
        }
    }

    [Fact]
    public async Task CrashingAgentIsRestartedWithExponentialBackoff()
    {
        var time = new FakeTimeProvider();
        var crashing = new CrashingType();
        var runtime = new RuntimeOptions { RestartBaseDelay = TimeSpan.FromSeconds(1), RestartMaxDelay = TimeSpan.FromSeconds(60) };
        var supervisor = RuntimeHarness.Supervisor(time, runtime, extraTypes: crashing);

        await supervisor.ReconcileAsync([new AgentDefinition("agt-1", "crashing", null)]);
        var view = await supervisor.WaitForAsync("agt-1", v => v.Restarts == 1 && v.State == AgentStates.Failed, "the first crash");
        Assert.Equal("crash #1", view.LastError);

        // Backoff doubles: 1 s after the first crash, 2 s after the second, 4 s after the third.
        foreach (var (delay, restart) in new[] { (1, 2), (2, 3), (4, 4) })
        {
            time.Advance(TimeSpan.FromSeconds(delay) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(50);
            Assert.Equal(restart - 1, Volatile.Read(ref crashing.Starts));
            time.Advance(TimeSpan.FromMilliseconds(1));
            await supervisor.WaitForAsync("agt-1", v => v.Restarts == restart, $"restart {restart}");
            Assert.Equal(restart, Volatile.Read(ref crashing.Starts));
        }
        Assert.Equal(4, supervisor.RecentFailures());
    }

    [Fact]
    public async Task CrashingProcessAgentIsRestartedAndKeepsItsLastOutput()
    {
        var runtime = new RuntimeOptions { AllowedCommands = ["sh"], RestartBaseDelay = TimeSpan.FromMilliseconds(50) };
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System, runtime);

        await supervisor.ReconcileAsync([RuntimeHarness.Process("agt-sh", "sh", "-c", "echo starting up; echo boom >&2; exit 3")]);
        var view = await supervisor.WaitForAsync("agt-sh", v => v.Restarts >= 3, "three restarts of a process exiting with 3");
        Assert.Contains("exited with code 3", view.LastError);
        await supervisor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ProcessAgentOutsideTheAllowlistIsRefused()
    {
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System, new RuntimeOptions { AllowedCommands = ["python3"] });

        await supervisor.ReconcileAsync([RuntimeHarness.Process("agt-rm", "rm", "-rf", "/tmp/nothing")]);
        var view = await supervisor.WaitForAsync("agt-rm", v => v.State == AgentStates.Failed, "the refusal");
        Assert.Equal("command 'rm' refused: it is not in this node's ALLOWED_COMMANDS (python3)", view.LastError);
        Assert.Equal(0, view.Restarts);
    }

    [Fact]
    public async Task WithAnEmptyAllowlistEveryProcessAgentIsRefused()
    {
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System);

        await supervisor.ReconcileAsync([RuntimeHarness.Process("agt-echo", "echo", "hi")]);
        var view = await supervisor.WaitForAsync("agt-echo", v => v.State == AgentStates.Failed, "the refusal");
        Assert.Contains("ALLOWED_COMMANDS is empty", view.LastError);
    }

    [Fact]
    public async Task ProcessAgentRunsWithArgsAndEnvironmentAndStopsOnSigterm()
    {
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System, new RuntimeOptions { AllowedCommands = ["sh"] });
        var definition = new AgentDefinition("agt-env", "process", new JsonObject
        {
            ["command"] = "sh",
            ["args"] = new JsonArray("-c", "echo \"greeting=$GREETING\"; exec sleep 30"),
            ["env"] = new JsonObject { ["GREETING"] = "hello" },
        });

        await supervisor.ReconcileAsync([definition]);
        var view = await supervisor.WaitForAsync("agt-env", v => v.Figures["output"]?.AsArray().Count > 0, "the process output");
        Assert.Equal("greeting=hello", (string?)view.Figures["output"]![0]);
        var pid = (int)view.Figures["pid"]!;

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await supervisor.ReconcileAsync([]);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"SIGTERM stop took {stopping.Elapsed}");
        Assert.False(Directory.Exists($"/proc/{pid}"), "the child process is gone");
        Assert.Null(supervisor.Find("agt-env"));
    }

    [Fact]
    public async Task ProcessIgnoringSigtermIsKilledAfterTheStopDeadline()
    {
        var runtime = new RuntimeOptions { AllowedCommands = ["sh"], StopTimeout = TimeSpan.FromMilliseconds(500) };
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System, runtime);

        await supervisor.ReconcileAsync([RuntimeHarness.Process("agt-stubborn", "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done")]);
        var view = await supervisor.WaitForAsync("agt-stubborn", v => v.Figures["output"]?.AsArray().Count > 0, "the process to start");
        var pid = (int)view.Figures["pid"]!;

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await supervisor.ReconcileAsync([]);
        // It waited out the deadline, then did not wait for a process that never exits (the bound is for a hang,
        // not a speed goal: a loaded machine takes seconds to reap).
        Assert.InRange(stopping.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(60));
        await Testing.Deadline.UntilAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), TimeSpan.FromSeconds(5), "the killed process to go");
    }

    [Fact]
    public async Task AtMostMaxAgentsRunAndTheNextStartsWhenOneLeaves()
    {
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System, maxAgents: 2);
        AgentDefinition[] three = [RuntimeHarness.Trading("a", "momentum"), RuntimeHarness.Trading("b", "momentum"), RuntimeHarness.Trading("c", "momentum")];

        await supervisor.ReconcileAsync(three);
        // Both admitted agents running (b being up says nothing of a, which may still be starting).
        await supervisor.WaitForAsync("a", v => v.State == AgentStates.Running, "a running");
        await supervisor.WaitForAsync("b", v => v.State == AgentStates.Running, "b running");
        var waiting = supervisor.Find("c")!;
        Assert.Equal(AgentStates.Pending, waiting.State);
        Assert.Contains("max_agents (2)", waiting.LastError);
        Assert.Equal(2, supervisor.Agents().Count(a => a.State == AgentStates.Running));

        await supervisor.ReconcileAsync(three[1..]);
        await supervisor.WaitForAsync("c", v => v.State == AgentStates.Running, "c running once a left");
        await supervisor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task UnknownStrategyFailsThatAgentOnlyWithAClearError()
    {
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System);

        await supervisor.ReconcileAsync([RuntimeHarness.Trading("good", "distributed_momentum"), RuntimeHarness.Trading("bad", "yolo")]);
        var bad = await supervisor.WaitForAsync("bad", v => v.State == AgentStates.Failed, "bad to fail");
        Assert.Equal("agent_config.strategy 'yolo' is unknown; use one of: momentum, distributed_momentum, mean_reversion", bad.LastError);
        var good = await supervisor.WaitForAsync("good", v => v.State == AgentStates.Running && (long)v.Figures["ticks_processed"]! > 3, "good to tick");
        Assert.Null(good.LastError);
        await supervisor.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task UnknownAgentTypeFailsThatAgentOnly()
    {
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System);
        await supervisor.ReconcileAsync([new AgentDefinition("x", "quantum_agent", null)]);
        var view = await supervisor.WaitForAsync("x", v => v.State == AgentStates.Failed, "x to fail");
        Assert.StartsWith("unknown agent_type 'quantum_agent'", view.LastError);
    }

    [Fact]
    public async Task ReconcileRestartsAnAgentWhoseDefinitionChanged()
    {
        var time = new FakeTimeProvider();
        var supervisor = RuntimeHarness.Supervisor(time);
        await supervisor.ReconcileAsync([RuntimeHarness.Trading("a", "momentum")]);
        await supervisor.WaitForAsync("a", v => v.State == AgentStates.Running, "a running");

        await supervisor.ReconcileAsync([RuntimeHarness.Trading("a", "mean_reversion") with { Epoch = 2 }]);
        var view = await supervisor.WaitForAsync("a", v => v.State == AgentStates.Running, "a running again");
        Assert.Equal(2, view.Epoch);
        Assert.Equal("mean_reversion", (string?)view.Figures["strategy"]);
        await supervisor.StopAsync(CancellationToken.None);
    }
}
