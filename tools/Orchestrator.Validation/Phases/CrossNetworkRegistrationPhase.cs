using System.Text.RegularExpressions;
using Orchestrator.Protocol;
using Orchestrator.Validation.Http;

namespace Orchestrator.Validation.Phases;

// "Auto-registration across networks": every orchestrator is in the manager's list, healthy, with the
// seed's capabilities and an orchestrator_id that agrees with its container name, and the manager hears
// from it over the orchestrator's own outbound connections: its heartbeat counter grows and its
// assignments long-poll has been answered. The manager never needs to dial the address it was given.
public sealed partial class CrossNetworkRegistrationPhase : IValidationPhase
{
    public static readonly string[] RequiredCapabilities = ["agent_runner", "orchestrator_cluster"];

    public string Name => "cross_network_registration";

    public async Task RunAsync(PhaseContext context, PhaseReport report, CancellationToken ct)
    {
        var identities = await context.IdentifyOrchestratorsAsync(ct);
        var registered = new List<OrchestratorIdentity>();
        foreach (var identity in identities)
        {
            var label = identity.Target.Label;
            if (identity.Registration is not { } container)
            {
                report.Fail($"{label}: registered as {identity.ContainerId}, which the manager does not list");
                continue;
            }
            registered.Add(identity);
            report.Check(container.Status == "healthy", $"{label}: {container.ContainerName} is {container.Status} in the manager's list, expected healthy");
            var missing = RequiredCapabilities.Except(container.Capabilities ?? []).ToList();
            report.Check(missing.Count == 0, $"{label}: {container.ContainerName} lacks capabilities {string.Join(", ", missing)} (AGENT_CONFIG capabilities)");
            if (report.Check(container.OrchestratorId() is { Length: > 0 }, $"{label}: {container.ContainerName} has no metadata.orchestrator_id")
                && SeedName().Match(container.ContainerName) is { Success: true } name)
                report.Check(name.Groups[1].Value == container.OrchestratorId(),
                    $"{label}: CONTAINER_NAME {container.ContainerName} says orchestrator {name.Groups[1].Value} but it registered orchestrator_id {container.OrchestratorId()}");
            report.Note($"{label}: {container.ContainerName} {container.Status}, orchestrator_id {container.OrchestratorId()}, " +
                $"capabilities [{string.Join(", ", container.Capabilities ?? [])}], announced {container.HostAddress}:{container.ApiPort} (never dialled)");
        }
        foreach (var duplicate in registered.GroupBy(i => i.Registration!.OrchestratorId()).Where(g => g.Count() > 1))
            report.Fail($"{string.Join(" and ", duplicate.Select(i => i.Target.Label))} registered the same orchestrator_id {duplicate.Key}");

        var first = await context.Manager.CommunicationAsync(ct);
        foreach (var identity in registered) await HeardFromAsync(context, report, identity, first, ct);
    }

    // Heartbeats and long-poll answers only exist if the orchestrator dialled out to the manager.
    private static async Task HeardFromAsync(
        PhaseContext context, PhaseReport report, OrchestratorIdentity identity, IReadOnlyList<ContainerCommunication> first, CancellationToken ct)
    {
        var label = identity.Target.Label;
        var before = first.FirstOrDefault(c => c.ContainerId == identity.ContainerId);
        if (!report.Check(before is not null, $"{label}: {identity.ContainerId} is missing from /api/v1/cluster/communication/stats")) return;
        var after = await context.WaitForAsync($"{label}: a new heartbeat from {before!.ContainerName} (had {before.HeartbeatsReceived})", async token =>
        {
            var now = (await context.Manager.CommunicationAsync(token)).FirstOrDefault(c => c.ContainerId == identity.ContainerId);
            return (now is not null && now.HeartbeatsReceived > before.HeartbeatsReceived ? now : null,
                now is null ? "container gone from the stats" : $"{now.HeartbeatsReceived} heartbeats");
        }, ct);
        report.Check(after.AssignmentDeliveries > 0, $"{label}: the manager has answered no assignments long-poll from {after.ContainerName} (assignment_deliveries 0)");
        report.Note($"{label}: heartbeats {before.HeartbeatsReceived} -> {after.HeartbeatsReceived}, assignment deliveries {after.AssignmentDeliveries}, " +
            $"reconnects {after.Reconnects}, failures {after.Failures}");
    }

    // The seed's compose file names containers orchestrator-${ORCHESTRATOR_ID}-cluster.
    [GeneratedRegex("^orchestrator-(.+)-cluster$")]
    private static partial Regex SeedName();
}
