using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Recovery;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Tenants;

namespace Orchestrator.Tests.Operators;

// Holding rescheduling by hand: the admin pauses it with a note and an end, extends the automatic
// mass-disconnect pause, or resumes either; /cluster/status says who, why and until when, and the audit log
// names who did it. The automatic pause is made by the rescheduler's own decision (EvaluateAsync) with the
// losses it would see.
[Trait(TestLevel.Name, TestLevel.Api)]
public class ReschedulingPauseTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(90);

    private ManagerFactory Manager => fixture.Manager;

    private ReschedulingPause Pause => Manager.Services.GetRequiredService<ReschedulingPause>();

    [Fact]
    public async Task TheAdminResumesAMassDisconnectPauseTheAuditEntryNamesThemAndTheSameLossesDoNotPauseAgain()
    {
        await ClearAsync();
        using var admin = await Manager.CreateAdminClientAsync();
        var now = Manager.Time.GetUtcNow();
        DateTimeOffset[] lost = [now, now, now];
        Assert.NotNull(await Pause.EvaluateAsync(4, lost, now, Window));
        var status = await StatusAsync(admin);
        Assert.Equal(("automatic", "automatic"), (status.ReschedulingPause?.Kind, status.ReschedulingPause?.By));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(ManagerRoutes.ReschedulingResume, null)).StatusCode);

        Assert.Null((await StatusAsync(admin)).ReschedulingPause);
        Assert.Null(await Pause.EvaluateAsync(4, lost, now.AddSeconds(5), Window));
        var audit = await admin.GetFromJsonAsync(ManagerRoutes.Audit + "?action=rescheduling.resume", ProtocolJsonContext.Default.AuditPage);
        Assert.Contains(audit!.Entries, e => e is { Actor: "admin", Outcome: "success" });
    }

    [Fact]
    public async Task APauseWithANoteAndAnEndShowsWhoWhyAndUntilWhenAndEndsByItself()
    {
        await ClearAsync();
        using var admin = await Manager.CreateAdminClientAsync();
        var now = Manager.Time.GetUtcNow();
        var response = await admin.PostAsJsonAsync(ManagerRoutes.ReschedulingPause,
            new PauseReschedulingRequest("Redis maintenance", now.AddMinutes(10)), ProtocolJsonContext.Default.PauseReschedulingRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var shown = (await StatusAsync(admin)).ReschedulingPause;
        Assert.Equal(("operator", "admin", "Redis maintenance"), (shown?.Kind, shown?.By, shown?.Note));
        Assert.Equal(now.AddMinutes(10).ToUnixTimeMilliseconds(), shown?.Until?.ToUnixTimeMilliseconds());
        Assert.True((await StatusAsync(admin)).ReschedulingPaused);
        // Nothing is lost, yet it holds until its end...
        Assert.NotNull(await Pause.EvaluateAsync(4, [], now.AddMinutes(9), Window));
        // ...and lifts by itself after it.
        Assert.Null(await Pause.EvaluateAsync(4, [], now.AddMinutes(11), Window));
        Assert.Null((await StatusAsync(admin)).ReschedulingPause);
    }

    [Fact]
    public async Task PausingDuringAMassDisconnectPauseTakesItOverUntilResumed()
    {
        await ClearAsync();
        using var admin = await Manager.CreateAdminClientAsync();
        var now = Manager.Time.GetUtcNow();
        var automatic = await Pause.EvaluateAsync(2, [now, now], now, Window);
        Assert.NotNull(automatic);
        var extended = await (await admin.PostAsJsonAsync(ManagerRoutes.ReschedulingPause, new PauseReschedulingRequest("checking the vendor's network", null),
            ProtocolJsonContext.Default.PauseReschedulingRequest)).Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ReschedulingPauseView);
        Assert.Equal(("operator", automatic.Since.ToUnixTimeMilliseconds()), (extended?.Kind, extended?.Since.ToUnixTimeMilliseconds()));
        // Every container came back: an automatic pause would lift here, an operator's does not.
        Assert.NotNull(await Pause.EvaluateAsync(2, [], now.AddMinutes(30), Window));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(ManagerRoutes.ReschedulingResume, null)).StatusCode);
        Assert.Null(await Pause.EvaluateAsync(2, [], now.AddMinutes(31), Window));
    }

    [Fact]
    public async Task AnEndInThePastIsA400NamingItAndAScopedOperatorMayNotPause()
    {
        await ClearAsync();
        using var admin = await Manager.CreateAdminClientAsync();
        var past = await admin.PostAsJsonAsync(ManagerRoutes.ReschedulingPause,
            new PauseReschedulingRequest("late", Manager.Time.GetUtcNow().AddMinutes(-1)), ProtocolJsonContext.Default.PauseReschedulingRequest);
        Assert.True((await past.AssertProblemAsync(400)).Names("expires_at"));
        using var scoped = await Manager.CreateScopedClientAsync(admin, "operator", TenantClients.UniqueTenant());
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.PostAsJsonAsync(ManagerRoutes.ReschedulingPause, new { note = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.PostAsync(ManagerRoutes.ReschedulingResume, null)).StatusCode);
        Assert.Null((await StatusAsync(admin)).ReschedulingPause);
    }

    // The tests share one Redis: each starts with no pause and no hold-off.
    private Task ClearAsync() => Manager.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase()
        .KeyDeleteAsync([Orchestrator.Manager.Redis.RedisKeys.ReschedulingPause, Orchestrator.Manager.Redis.RedisKeys.ReschedulingResumed]);

    private static async Task<ClusterStatusResponse> StatusAsync(HttpClient client) =>
        (await client.GetFromJsonAsync(ManagerRoutes.Status, ProtocolJsonContext.Default.ClusterStatusResponse))!;
}
