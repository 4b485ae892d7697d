namespace Orchestrator.Agent.Configuration;

// Problems found while translating the seed's variables (e.g. AGENT_CONFIG that is not JSON),
// keyed by variable name; validated like any other option so they stop the node at start.
public sealed class SeedProblems
{
    public const string Section = "Seed";

    public Dictionary<string, string> Problems { get; set; } = [];
}
