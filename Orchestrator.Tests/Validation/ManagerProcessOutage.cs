using Orchestrator.Validation.Phases;

namespace Orchestrator.Tests.Validation;

// orchestrator_autonomy's outage in the test suite: kill -9 of the manager's process, later a fresh
// process on the same port with the same Redis. Remembers what happened so the test can check it did.
public sealed class ManagerProcessOutage(ManagerNode manager) : IManagerOutage
{
    public bool WasDownAfterStop { get; private set; }

    public bool Restarted { get; private set; }

    public Task StopManagerAsync(CancellationToken cancellationToken)
    {
        manager.Kill();
        WasDownAfterStop = !manager.IsRunning;
        return Task.CompletedTask;
    }

    public async Task StartManagerAsync(CancellationToken cancellationToken)
    {
        await manager.StartAsync();
        Restarted = manager.IsRunning;
    }
}
