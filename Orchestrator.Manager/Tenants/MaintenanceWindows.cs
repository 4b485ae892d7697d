namespace Orchestrator.Manager.Tenants;

// The one question other parts ask about maintenance windows: is this tenant's window open now? Rollouts and
// drains that are not forced wait while it is closed (they show waiting_for_window); the upgrade advice in a
// heartbeat answer is given only while it is open. A tenant without windows is always open.
public sealed class MaintenanceWindows(MaintenanceStore store, TimeProvider time)
{
    public async Task<bool> IsOpenAsync(string tenant) => (await ScheduleAsync(tenant)).IsOpen(time.GetUtcNow());

    public async Task<MaintenanceSchedule> ScheduleAsync(string tenant) =>
        (await store.ReadAsync(tenant))?.Schedule() ?? MaintenanceSchedule.AlwaysOpen;
}
