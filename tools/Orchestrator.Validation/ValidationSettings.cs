namespace Orchestrator.Validation;

// What the phases need to know about the deployment under test.
public sealed record ValidationSettings(
    Uri ManagerUrl,
    IReadOnlyList<OrchestratorTarget> Orchestrators,
    string AdminPassword,
    TimeSpan Timeout,
    bool KeepAgents = false)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
}

// One orchestrator cluster as its operator reaches it. DataDirectory is known only where the
// validation runs on the orchestrator's own host (or in the test suite); it enables the file checks.
public sealed record OrchestratorTarget(int Number, Uri Url, string? DataDirectory = null)
{
    public string Label => $"orchestrator_{Number}";
}
