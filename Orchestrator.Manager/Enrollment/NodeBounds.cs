namespace Orchestrator.Manager.Enrollment;

// What an enrollment token lets a node claim, copied onto its container at enrollment (field "bounds") so
// later registrations are held to the same limits. OrchestratorIds has one entry except for a bootstrap token.
public sealed record NodeBounds(
    IReadOnlyList<string> OrchestratorIds,
    int MaxAgents,
    IReadOnlyList<string>? Capabilities,
    IReadOnlyDictionary<string, string>? Labels);
