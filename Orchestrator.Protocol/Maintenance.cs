namespace Orchestrator.Protocol;

// Maintenance windows (issue 27, after Teleport's): when a tenant's nodes may be disturbed. Weekly windows in one
// IANA time zone; each opens on its days at start (local "HH:mm") for duration_minutes, and may run past midnight.
// A tenant with no windows is always open. Rollouts and drains that are not forced wait for a window; the
// manager's upgrade advice (HeartbeatResponse.recommended_node_version) is given only inside one.

// PUT /api/v1/tenants/{id}/maintenance (admin). Fields nullable so a missing one is named.
public sealed record MaintenanceRequest(string? TimeZone, IReadOnlyList<MaintenanceWindow>? Windows);

// days: "mon".."sun"; start: "HH:mm" local time; duration_minutes: 1..10080 (a week).
public sealed record MaintenanceWindow(IReadOnlyList<string>? Days, string? Start, int? DurationMinutes);

// GET/PUT answer: the stored windows and whether one is open now.
public sealed record MaintenanceView(
    string OrchestratorId, string TimeZone, IReadOnlyList<MaintenanceWindow> Windows, bool OpenNow, DateTimeOffset? UpdatedAt);

public static class MaintenanceDays
{
    public static readonly IReadOnlyList<string> All = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public static DayOfWeek? Parse(string? day) => All.ToList().IndexOf(day?.Trim().ToLowerInvariant() ?? "") is var i and >= 0 ? (DayOfWeek)i : null;
}

// What a rollout or drain that is not forced shows while its tenant's maintenance window is closed (issue 27):
// it waits, and goes on once MaintenanceWindows (manager, Tenants/) says the window is open.
public static class MaintenanceStates
{
    public const string WaitingForWindow = "waiting_for_window";
}
