using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Manager.Scheduling;

// ActivitySource and Meter "Orchestrator.Manager.Scheduling": one span per scheduling decision,
// whose id travels to the orchestrator in each assignment's traceparent.
public sealed class SchedulingTelemetry
{
    public const string Name = "Orchestrator.Manager.Scheduling";
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _placements;
    private readonly Counter<long> _refusals;
    private readonly Histogram<double> _duration;

    public SchedulingTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _placements = meter.CreateCounter<long>("orchestrator.manager.placements", "{agent}", "Agents placed, by strategy");
        _refusals = meter.CreateCounter<long>("orchestrator.manager.deploy.refusals", "{deploy}", "Deploys refused, by reason");
        _duration = meter.CreateHistogram<double>("orchestrator.manager.scheduling.duration", "s", "Time to plan and place one deploy");
    }

    public void Deployed(DeployCommand command, DeployOutcome outcome, TimeSpan elapsed)
    {
        var strategy = new KeyValuePair<string, object?>("strategy", command.Strategy.Name);
        _duration.Record(elapsed.TotalSeconds, strategy);
        if (outcome is DeployOutcome.Placed placed) _placements.Add(placed.Response.Agents.Count, strategy);
        else _refusals.Add(1, new KeyValuePair<string, object?>("reason", outcome.GetType().Name.ToLowerInvariant()));
    }
}
