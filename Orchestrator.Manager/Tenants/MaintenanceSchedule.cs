using System.Globalization;

namespace Orchestrator.Manager.Tenants;

// A tenant's weekly maintenance windows in its time zone, checked and evaluated; pure (the caller gives "now").
public sealed record MaintenanceSchedule(TimeZoneInfo Zone, IReadOnlyList<MaintenanceSchedule.Window> Windows)
{
    public const int MaxWindows = 50;
    public const int MaxDurationMinutes = 7 * 24 * 60;

    public sealed record Window(IReadOnlySet<DayOfWeek> Days, TimeSpan Start, TimeSpan Duration);

    // No windows: the tenant set no restriction, so it is always open.
    public static readonly MaintenanceSchedule AlwaysOpen = new(TimeZoneInfo.Utc, []);

    // Open when now falls in a window that opened on one of the last eight local days (a window may last a week
    // and run past midnight). Local wall-clock time: a window at 02:00 opens at 02:00 whatever the DST offset.
    public bool IsOpen(DateTimeOffset now)
    {
        if (Windows.Count == 0) return true;
        var local = TimeZoneInfo.ConvertTime(now, Zone).DateTime;
        foreach (var window in Windows)
            for (var back = 0; back <= 7; back++)
            {
                var day = local.Date.AddDays(-back);
                if (!window.Days.Contains(day.DayOfWeek)) continue;
                var opens = day + window.Start;
                if (local >= opens && local < opens + window.Duration) return true;
            }
        return false;
    }

    // Field errors named as on the wire (time_zone, windows[0].days, ...); the schedule when there are none.
    public static (MaintenanceSchedule? Schedule, Dictionary<string, string[]> Errors) From(MaintenanceRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        TimeZoneInfo? zone = null;
        if (string.IsNullOrWhiteSpace(request.TimeZone)) errors["time_zone"] = ["time_zone is required: an IANA time zone such as Europe/London or UTC."];
        else if (!TryZone(request.TimeZone.Trim(), out zone))
            errors["time_zone"] = [$"time_zone '{Cut(request.TimeZone)}' is not a known IANA time zone (e.g. America/New_York, UTC)."];
        List<Window> windows = [];
        if (request.Windows is null) errors["windows"] = ["windows is required (an empty list: always open)."];
        else if (request.Windows.Count > MaxWindows) errors["windows"] = [$"windows may hold at most {MaxWindows} windows."];
        else
            for (var i = 0; i < request.Windows.Count; i++)
            {
                var given = request.Windows[i];
                var at = $"windows[{i}]";
                if (given is null) { errors[at] = [$"{at} must be an object with days, start and duration_minutes."]; continue; }
                var days = (given.Days ?? []).Select(MaintenanceDays.Parse).ToList();
                if (given.Days is not { Count: > 0 } || days.Any(d => d is null))
                    errors[at + ".days"] = [$"{at}.days must list days among {string.Join(", ", MaintenanceDays.All)}."];
                if (!TimeSpan.TryParseExact(given.Start ?? "", @"hh\:mm", CultureInfo.InvariantCulture, out var start) || start >= TimeSpan.FromDays(1))
                    errors[at + ".start"] = [$"{at}.start must be a local time \"HH:mm\" (00:00-23:59)."];
                if (given.DurationMinutes is not (>= 1 and <= MaxDurationMinutes))
                    errors[at + ".duration_minutes"] = [$"{at}.duration_minutes must be between 1 and {MaxDurationMinutes}."];
                else if (errors.Count == 0)
                    windows.Add(new Window(days.Select(d => d!.Value).ToHashSet(), start, TimeSpan.FromMinutes(given.DurationMinutes.Value)));
            }
        return errors.Count > 0 ? (null, errors) : (new MaintenanceSchedule(zone!, windows), errors);
    }

    private static bool TryZone(string id, out TimeZoneInfo? zone)
    {
        zone = null;
        // IANA names only (Area/Location, UTC, Etc/GMT+5): nothing else reaches the zoneinfo files.
        if (id.Length > 64 || id.Contains("..", StringComparison.Ordinal) || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+'))
            return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or IOException
                                       or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return false;
        }
    }

    private static string Cut(string value) => value.Length > 64 ? value[..64] + "..." : value;
}
