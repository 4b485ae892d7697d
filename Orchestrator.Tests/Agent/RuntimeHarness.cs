using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Workloads.Process;
using Orchestrator.Agent.Workloads.Trading;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Agent;

// A supervisor wired as the node wires it, with the clock, limits and extra agent types a test chooses.
public static class RuntimeHarness
{
    public static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static AgentSupervisor Supervisor(TimeProvider time, RuntimeOptions? runtime = null, int maxAgents = 10, params IWorkloadDriver[] extraTypes)
    {
        runtime ??= new RuntimeOptions();
        IWorkloadDriver[] types =
        [
            new TradingDriver(time, new TradingTelemetry(Meters), NullLogger<TradingAgent>.Instance),
            new ProcessDriver(Options.Create(runtime), time),
            .. extraTypes,
        ];
        return new AgentSupervisor(new WorkloadDrivers(types), Options.Create(runtime), Options.Create(new NodeOptions { MaxAgents = maxAgents }),
            time, new RuntimeTelemetry(Meters), NullLogger<AgentSupervisor>.Instance);
    }

    public static AgentDefinition Trading(string id, string strategy, int tickMs = 20) =>
        new(id, "trading_agent", new JsonObject { ["strategy"] = strategy, ["tick_interval_ms"] = tickMs });

    public static AgentDefinition Process(string id, string command, params string[] args) =>
        new(id, "process", new JsonObject { ["command"] = command, ["args"] = new JsonArray([.. args.Select(a => (JsonNode?)a)]) });

    // On timeout the message shows the agent as last seen.
    public static async Task<AgentStatus> WaitForAsync(this AgentSupervisor supervisor, string id, Func<AgentStatus, bool> condition, string what, double seconds = 10)
    {
        try
        {
            return await Testing.Deadline.PollAsync(() => Task.FromResult(supervisor.Find(id) is { } view && condition(view) ? view : null),
                TimeSpan.FromSeconds(seconds), what, TimeSpan.FromMilliseconds(20));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} (last seen: {supervisor.Find(id)})", ex);
        }
    }
}
