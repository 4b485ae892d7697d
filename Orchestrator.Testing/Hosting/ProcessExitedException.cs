namespace Orchestrator.Testing.Hosting;

// A process ended while something was waiting for it to become ready; not retried by Deadline.
public sealed class ProcessExitedException(string message) : Exception(message);
