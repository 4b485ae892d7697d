using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Agent.Runtime;

// The agent runtime's own traces and metrics; ServiceDefaults exports everything named "Orchestrator.*".
public sealed class RuntimeTelemetry
{
    public const string Name = "Orchestrator.Agent.Runtime";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _restarts;
    private readonly Counter<long> _failures;

    public RuntimeTelemetry(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        _restarts = Meter.CreateCounter<long>("orchestrator.agent.restarts", description: "Agent restarts after a crash");
        _failures = Meter.CreateCounter<long>("orchestrator.agent.failures", description: "Agent crashes and refused configs");
    }

    public Meter Meter { get; }

    public void ObserveAgents(Func<IEnumerable<AgentStatus>> agents) =>
        Meter.CreateObservableGauge("orchestrator.agent.agents",
            () => agents().GroupBy(a => a.State).Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("state", g.Key))),
            description: "Agents on this node by state");

    public void Failed(AgentStatus agent, bool willRestart)
    {
        var tags = new TagList { { "agent_type", agent.AgentType } };
        _failures.Add(1, tags);
        if (willRestart) _restarts.Add(1, tags);
    }
}
