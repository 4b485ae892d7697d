using System.Text.RegularExpressions;
using Orchestrator.Protocol;
using Orchestrator.Validation.Http;

namespace Orchestrator.Validation.Phases;

// Which registered container an orchestrator URL is: its own /health names the container_id it
// registered as, and the manager's list gives that container's name and orchestrator_id.
public sealed partial record OrchestratorIdentity(OrchestratorTarget Target, string ContainerId, ContainerView? Registration)
{
    public const string ConnectionCheck = "manager-connection";

    public static string? RegisteredContainerId(HealthResponse health) =>
        health.Checks?.GetValueOrDefault(ConnectionCheck)?.Description is { } description
        && RegisteredAs().Match(description) is { Success: true } match ? match.Groups[1].Value : null;

    public static async Task<OrchestratorIdentity> ResolveAsync(
        OrchestratorClient orchestrator, IReadOnlyList<ContainerView> containers, CancellationToken ct)
    {
        var health = await orchestrator.HealthAsync(ct);
        var id = RegisteredContainerId(health) ?? throw new ValidationFailure(
            $"{orchestrator.Target.Label} ({orchestrator.Target.Url}): /health does not say it is registered " +
            $"({ConnectionCheck}: {Describe(health)})");
        return new(orchestrator.Target, id, containers.FirstOrDefault(c => c.ContainerId == id));
    }

    public static string Describe(HealthResponse health) =>
        health.Checks?.GetValueOrDefault(ConnectionCheck) is { } check
            ? $"{check.Status}, {check.Description}"
            : $"status {health.Status}, no {ConnectionCheck} check";

    [GeneratedRegex(@"registered as (\S+)")]
    private static partial Regex RegisteredAs();
}
