using Orchestrator.Validation.Phases;

namespace Orchestrator.Validation.Running;

// Runs phases in order, each under the --timeout, and never lets one phase's failure stop the next:
// the operator gets every phase's verdict in one run.
public static class ValidationRunner
{
    public static IReadOnlyList<IValidationPhase> SeedPhases(int orchestrators) =>
    [
        new CentralManagerIsolatedPhase(),
        .. Enumerable.Range(1, orchestrators).Select(n => new OrchestratorIsolatedPhase(n)),
        new CrossNetworkRegistrationPhase(),
        new DistributedAgentDeploymentPhase(),
        new OrchestratorAutonomyPhase(),
    ];

    public static async Task<PhaseResult> RunPhaseAsync(IValidationPhase phase, PhaseContext context, CancellationToken cancellationToken)
    {
        var report = new PhaseReport();
        var started = context.Time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(context.Settings.Timeout);
        try
        {
            await phase.RunAsync(context, report, deadline.Token);
        }
        catch (ValidationFailure failure)
        {
            report.Fail(failure.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            report.Fail($"did not finish within the {context.Settings.Timeout.TotalSeconds:0}s timeout");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A deployment answering something unexpected fails the phase; it must not end the run.
            report.Fail($"unexpected {ex.GetType().Name}: {ex.Message}");
        }
        return new PhaseResult(phase.Name, report.Passed, Math.Round(context.Time.GetElapsedTime(started).TotalSeconds, 2),
            report.Failures, report.Notes);
    }

    public static async Task<ValidationSummary> RunAsync(
        IReadOnlyList<IValidationPhase> phases, PhaseContext context, CancellationToken cancellationToken, Action<PhaseResult>? finished = null)
    {
        var startedAt = context.Time.GetUtcNow();
        var started = context.Time.GetTimestamp();
        var results = new List<PhaseResult>();
        foreach (var phase in phases)
        {
            results.Add(await RunPhaseAsync(phase, context, cancellationToken));
            finished?.Invoke(results[^1]);
        }
        var passed = results.Count(r => r.Passed);
        return new ValidationSummary(
            "Orchestrator Deployment Pattern", "Multi-host orchestrator", startedAt,
            Math.Round(context.Time.GetElapsedTime(started).TotalSeconds, 2),
            results.Count == 0 ? 0 : Math.Round(100.0 * passed / results.Count, 1),
            passed, results.Count, $"{passed}/{results.Count} phases passed",
            results.ToDictionary(r => r.Phase, r => r.Passed), results);
    }
}
