
namespace Orchestrator.Agent.Runtime;

// Entry point for desired state: persists it, then reconciles. At start it restores the last desired
// state from DATA_DIR, so the node carries on alone after a restart while the manager is unreachable.
// Fenced `reschedule` agents (IAgentFence: Fencing/LeaseFence) stay in the desired state and the file, but are held
// out of the supervisor.
// Specs whose signature check fails (SpecGate, SPEC_SIGNATURES=require) are likewise kept but held out, as rejected.
public sealed class DesiredStateCoordinator(
    DesiredStateStore store, AgentSupervisor supervisor, ILogger<DesiredStateCoordinator> logger, IAgentFence? fence = null,
    SpecGate? gate = null)
    : IHostedService
{
    private readonly SemaphoreSlim _apply = new(1, 1);

    public LocalDesiredState Current { get; private set; } = LocalDesiredState.Empty;

    public Task ApplyAsync(LocalDesiredState desired, CancellationToken cancellationToken) =>
        UnderLockAsync(_ => desired, cancellationToken);

    // Drops agents the manager refused (moved elsewhere, or deleted), from whatever the desired state is by then.
    public Task RemoveAsync(IReadOnlySet<string> agentIds, CancellationToken cancellationToken) =>
        UnderLockAsync(current => current with { Agents = current.Agents.Where(a => !agentIds.Contains(a.AgentId)).ToList() },
            cancellationToken);

    // The same desired state again, after the fence changed which agents it holds out.
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _apply.WaitAsync(cancellationToken);
        try
        {
            await ReconcileAsync(Current, cancellationToken);
        }
        finally
        {
            _apply.Release();
        }
    }

    private Task ReconcileAsync(LocalDesiredState desired, CancellationToken cancellationToken) =>
        supervisor.ReconcileAsync(desired.Agents, fence?.Decide(desired.Agents) ?? new Dictionary<string, string>(),
            gate?.Decide(desired.Agents, supervisor.Runs) ?? SpecVerdicts.None, cancellationToken);

    private async Task UnderLockAsync(Func<LocalDesiredState, LocalDesiredState> next, CancellationToken cancellationToken)
    {
        await _apply.WaitAsync(cancellationToken);
        try
        {
            var desired = next(Current);
            await store.SaveAsync(desired, cancellationToken);
            Current = desired;
            await ReconcileAsync(desired, cancellationToken);
        }
        finally
        {
            _apply.Release();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LocalDesiredState? saved;
        try
        {
            saved = await store.LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException)
        {
            // A damaged file must not keep the node down: it starts empty and the manager re-sends the desired state.
            logger.LogError("Ignoring unreadable state file {Path}: {Error}", store.FilePath, ex.Message);
            return;
        }
        if (saved is null) return;
        logger.LogInformation("Restoring {Count} agents (generation {Generation}) from {Path}", saved.Agents.Count, saved.Generation, store.FilePath);
        Current = saved;
        // `keep` agents start at once; `reschedule` agents start fenced until the manager confirms them.
        await ReconcileAsync(saved, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
