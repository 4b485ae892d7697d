using Orchestrator.Bench.Options;
using Orchestrator.Bench.Scenarios;

namespace Orchestrator.Bench.Reporting;

// Everything one run measured; written as results.json, and rendered as results.md and the charts.
public sealed record RunReport(
    string Run,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    MachineInfo Machine,
    BenchSettings Settings,
    HeartbeatsResult? Heartbeats,
    FleetResult? Fleet,
    DeployResult? Deploy,
    ReconnectResult? Reconnect,
    RedisCostResult? Redis,
    IReadOnlyDictionary<string, string> Failures,
    IReadOnlyList<GoalResult> Goals,
    IReadOnlyList<string>? Notes = null,
    FleetResult? FleetOnCluster = null);

// verdict: met | not met | unmeasured | not at goal size (a short run's fleets are smaller than the goal's)
public sealed record GoalResult(string Goal, string Verdict, string Measured);
