namespace Orchestrator.Validation.Phases;

// A real manager outage for orchestrator_autonomy: only a harness that owns the manager's process
// (the test suite) can give one. Against a live deployment there is none and the phase says so.
public interface IManagerOutage
{
    // Stops the manager hard (kill -9), as a crash or a cut network looks to the orchestrators.
    Task StopManagerAsync(CancellationToken cancellationToken);

    Task StartManagerAsync(CancellationToken cancellationToken);
}
