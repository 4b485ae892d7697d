using Orchestrator.Agent.Runtime;

namespace Orchestrator.Agent.Fencing;

// Watches the leases of the desired `reschedule` agents: when the set that must be held out changes
// (a lease ran out, or the manager confirmed an assignment), reconciles the desired state again.
public sealed class LeaseFenceService(LeaseFence fence, DesiredStateCoordinator coordinator, TimeProvider time)
    : BackgroundService
{
    // How often leases are checked: an agent is fenced at most this long after its lease ran out.
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckPeriod, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!fence.WouldChange(coordinator.Current.Agents)) continue;
                using var activity = FencingTelemetry.ActivitySource.StartActivity("fence agents");
                await coordinator.RefreshAsync(stoppingToken);
                activity?.SetTag("agents.held", fence.Held.Count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
