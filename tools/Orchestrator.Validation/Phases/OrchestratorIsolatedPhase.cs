using Orchestrator.Protocol;

namespace Orchestrator.Validation.Phases;

// "Customer N infrastructure deployed": the orchestrator answers its own /health and local API at its
// operator's URL, is registered, and is its own installation: no other orchestrator under test shares
// its container_id, container_name, orchestrator_id, URL or DATA_DIR.
public sealed class OrchestratorIsolatedPhase(int number) : IValidationPhase
{
    public string Name => $"orchestrator_{number}_isolated";

    public async Task RunAsync(PhaseContext context, PhaseReport report, CancellationToken ct)
    {
        var orchestrator = context.Orchestrators[number - 1];
        var target = orchestrator.Target;
        var health = await orchestrator.HealthAsync(ct);
        report.Check(health.Status == "healthy", $"{target.Label} ({target.Url}): /health is {health.Status}, expected healthy ({OrchestratorIdentity.Describe(health)})");
        var local = await orchestrator.AgentsAsync(ct);
        report.Check(local.MaxAgents > 0, $"{target.Label}: local API reports max_agents {local.MaxAgents}");
        report.Note($"{target.Url}: /health {health.Status}; local API /api/v1/agents answers without a token ({local.Count}/{local.MaxAgents} agents)");

        var containers = await context.Manager.ContainersAsync(ct);
        var self = await OrchestratorIdentity.ResolveAsync(orchestrator, containers, ct);
        if (self.Registration is not { } registration)
        {
            report.Fail($"{target.Label}: registered as {self.ContainerId}, which the manager does not list");
            return;
        }
        report.Check(registration.OrchestratorId() is { Length: > 0 }, $"{target.Label}: registration {registration.ContainerName} has no metadata.orchestrator_id");
        report.Note($"registered as {self.ContainerId} ({registration.ContainerName}, orchestrator_id {registration.OrchestratorId()})");

        foreach (var other in context.Orchestrators.Where(o => o != orchestrator))
        {
            report.Check(!SameOrigin(other.Target.Url, target.Url), $"{target.Label} and {other.Target.Label} share the URL {target.Url}");
            if (Differ(target.DataDirectory, other.Target.DataDirectory) is false)
                report.Fail($"{target.Label} and {other.Target.Label} share DATA_DIR {target.DataDirectory}");
            OrchestratorIdentity peer;
            try
            {
                peer = await OrchestratorIdentity.ResolveAsync(other, containers, ct);
            }
            catch (ValidationFailure failure)
            {
                report.Note($"not compared with {other.Target.Label}: {failure.Message}");
                continue;
            }
            report.Check(peer.ContainerId != self.ContainerId, $"{target.Label} and {other.Target.Label} are the same container {self.ContainerId}");
            if (peer.Registration is not { } theirs) continue;
            report.Check(theirs.ContainerName != registration.ContainerName, $"{target.Label} and {other.Target.Label} share CONTAINER_NAME {registration.ContainerName}");
            report.Check(theirs.OrchestratorId() != registration.OrchestratorId(), $"{target.Label} and {other.Target.Label} share ORCHESTRATOR_ID {registration.OrchestratorId()}");
        }

        if (target.DataDirectory is { } dataDirectory)
            report.Check(Directory.Exists(dataDirectory), $"{target.Label}: DATA_DIR {dataDirectory} does not exist");
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static bool? Differ(string? a, string? b) =>
        a is null || b is null ? null : !string.Equals(Path.GetFullPath(a).TrimEnd('/'), Path.GetFullPath(b).TrimEnd('/'), StringComparison.Ordinal);
}
