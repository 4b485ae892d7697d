using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Recovery;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Holding and resuming rescheduling fleet-wide (admin): an operator pauses it with a note and an optional end,
// extends the automatic mass-disconnect pause the same way, or resumes either. Both are audited.
public static class ReschedulingApi
{
    public const int MaxNoteLength = 500;

    public static IEndpointRouteBuilder MapReschedulingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).WithTags("Cluster").RequireAuthorization(Policies.Admin);
        group.MapPost(ManagerRoutes.ReschedulingPause, PauseAsync).WithSummary("Hold rescheduling fleet-wide, with a note and an optional end");
        group.MapPost(ManagerRoutes.ReschedulingResume, ResumeAsync).WithSummary("Resume rescheduling, also after an automatic mass-disconnect pause");
        return app;
    }

    public static async Task<Results<Ok<ReschedulingPauseView>, ValidationProblem>> PauseAsync(
        PauseReschedulingRequest request, [AsParameters] ReschedulingServices services)
    {
        var now = services.Time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (request.Note is { Length: > MaxNoteLength }) errors["note"] = [$"note may be at most {MaxNoteLength} characters."];
        if (request.ExpiresAt is { } expires && expires <= now) errors["expires_at"] = ["expires_at must be in the future."];
        if (errors.Count > 0)
        {
            await services.Audit.RecordAsync(services.Caller, AuditActions.ReschedulingPause, "rescheduling", AuditOutcomes.Refused, "");
            return TypedResults.ValidationProblem(errors);
        }
        var pause = await services.Pause.PauseAsync(services.Caller.Actor, request.Note, request.ExpiresAt, now);
        await services.Audit.RecordAsync(services.Caller, AuditActions.ReschedulingPause, "rescheduling", AuditOutcomes.Success, "");
        return TypedResults.Ok(pause.ToView());
    }

    public static async Task<NoContent> ResumeAsync([AsParameters] ReschedulingServices services)
    {
        // The losses that caused an automatic pause are still there at the next pass: hold off a new one for a window.
        var holdOff = services.Manager.Value.HeartbeatInterval * LivenessSweeper.LostAfterMissed;
        var resumed = await services.Pause.ResumeAsync(services.Caller.Actor, holdOff);
        await services.Audit.RecordAsync(services.Caller, AuditActions.ReschedulingResume, "rescheduling",
            resumed ? AuditOutcomes.Success : AuditOutcomes.NotFound, "");
        return TypedResults.NoContent();
    }
}

// The services both rescheduling routes use, bound with [AsParameters].
public sealed record ReschedulingServices(ReschedulingPause Pause, AuditLog Audit, CallerScope Caller, TimeProvider Time, IOptions<ManagerOptions> Manager);
