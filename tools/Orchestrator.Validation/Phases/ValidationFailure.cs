namespace Orchestrator.Validation.Phases;

// A check that leaves the rest of its phase meaningless (the service does not answer, say).
public sealed class ValidationFailure(string message) : Exception(message);
