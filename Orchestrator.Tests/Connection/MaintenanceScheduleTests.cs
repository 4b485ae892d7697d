using Orchestrator.Manager.Tenants;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Connection;

// A tenant's weekly windows evaluated in its own time zone (pure: "now" is given).
[Trait(TestLevel.Name, TestLevel.Unit)]
public class MaintenanceScheduleTests
{
    private static MaintenanceSchedule Schedule(string zone, params MaintenanceWindow[] windows)
    {
        var (schedule, errors) = MaintenanceSchedule.From(new MaintenanceRequest(zone, windows));
        Assert.Empty(errors);
        return schedule!;
    }

    [Theory]
    // Saturday 23:00 New York for 3 hours: runs past midnight into Sunday 02:00 local (EST, UTC-5, in January).
    [InlineData("2027-01-10T03:59:00Z", false)] // Sat 22:59 local
    [InlineData("2027-01-10T04:00:00Z", true)]  // Sat 23:00 local
    [InlineData("2027-01-10T06:30:00Z", true)]  // Sun 01:30 local
    [InlineData("2027-01-10T07:00:00Z", false)] // Sun 02:00 local: closed again
    [InlineData("2027-01-17T04:30:00Z", true)]  // the next Saturday, 23:30 local
    [InlineData("2027-01-13T04:30:00Z", false)] // a Tuesday at the same hour
    public void AWindowRunsPastMidnightInItsOwnTimeZone(string utc, bool open) =>
        Assert.Equal(open, Schedule("America/New_York", new MaintenanceWindow(["sat"], "23:00", 180)).IsOpen(DateTimeOffset.Parse(utc)));

    [Fact]
    public void NoWindowsIsAlwaysOpenAndTheLocalStartHoldsAcrossDaylightSaving()
    {
        Assert.True(Schedule("UTC").IsOpen(DateTimeOffset.Parse("2027-03-03T12:00:00Z")));
        var daily = Schedule("Europe/London", new MaintenanceWindow([.. MaintenanceDays.All], "02:00", 60));
        Assert.True(daily.IsOpen(DateTimeOffset.Parse("2027-01-05T02:30:00Z")));  // GMT: 02:30 local
        Assert.False(daily.IsOpen(DateTimeOffset.Parse("2027-07-05T02:30:00Z"))); // BST: 03:30 local
        Assert.True(daily.IsOpen(DateTimeOffset.Parse("2027-07-05T01:30:00Z")));  // BST: 02:30 local
    }
}
