namespace Orchestrator.Validation.Phases;

// One phase of the seed's validation. A phase records every failed check in the report (so the
// operator sees all of them at once) and throws ValidationFailure only when it cannot go on.
public interface IValidationPhase
{
    string Name { get; }

    Task RunAsync(PhaseContext context, PhaseReport report, CancellationToken cancellationToken);
}
