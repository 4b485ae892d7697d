using System.Text.Json.Serialization;

namespace Orchestrator.Validation.Running;

// The seed's "Validation Results": phase -> true/false, duration, success rate, "6/6 phases passed".
public sealed record ValidationSummary(
    string TestType,
    string DeploymentPattern,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    double SuccessRate,
    int PhasesPassed,
    int PhasesTotal,
    string Result,
    IReadOnlyDictionary<string, bool> PhaseResults,
    IReadOnlyList<PhaseResult> Phases)
{
    [JsonIgnore]
    public bool Passed => PhasesPassed == PhasesTotal;
}

public sealed record PhaseResult(string Phase, bool Passed, double DurationSeconds, IReadOnlyList<string> Failures, IReadOnlyList<string> Notes);
