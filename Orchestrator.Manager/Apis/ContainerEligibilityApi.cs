using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Cordon and uncordon (issue 27, Nomad's node eligibility): writers of the container's tenant take it out of
// placement or put it back. What it runs stays; its node keeps heartbeating. Audited, and an event.
public static class ContainerEligibilityApi
{
    public const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapContainerEligibilityApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Containers").RequireAuthorization(Policies.Writer).RequireContainerIds()
            .MapPut(ManagerRoutes.ContainerEligibility, SetAsync).WithSummary("Cordon (ineligible) or uncordon (eligible) a container, with a reason");
        return app;
    }

    // Another tenant's container is answered as unknown, so its id cannot be probed.
    public static async Task<Results<Ok<ContainerView>, ValidationProblem, ProblemHttpResult>> SetAsync(
        string id, SetEligibilityRequest request, ContainerStore store, CallerScope caller, AuditLog audit, EventLog events)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Eligibility is null || !ContainerEligibility.All.Contains(request.Eligibility))
            errors["eligibility"] = [$"eligibility must be one of {string.Join(", ", ContainerEligibility.All)}."];
        if (request.Reason is { Length: > MaxReasonLength }) errors["reason"] = [$"reason may be at most {MaxReasonLength} characters."];
        var container = await store.GetAsync(id);
        var tenant = container?.OrchestratorId() ?? "";
        if (container is null || !caller.Sees(tenant))
        {
            await audit.RecordAsync(caller, AuditActions.Eligibility, id, AuditOutcomes.NotFound, caller.DefaultTenant);
            return ApiProblems.ContainerNotFound(id);
        }
        if (errors.Count > 0)
        {
            await audit.RecordAsync(caller, AuditActions.Eligibility, id, AuditOutcomes.Refused, tenant);
            return TypedResults.ValidationProblem(errors);
        }
        var eligible = request.Eligibility == ContainerEligibility.Eligible;
        var reason = request.Reason?.Trim() is { Length: > 0 } given ? given : null;
        if (!await store.SetEligibilityAsync(id, eligible, reason))
        {
            await audit.RecordAsync(caller, AuditActions.Eligibility, id, AuditOutcomes.NotFound, tenant);
            return ApiProblems.ContainerNotFound(id);
        }
        await audit.RecordAsync(caller, AuditActions.Eligibility, id, AuditOutcomes.Success, tenant);
        events.ContainerEligibilityChanged(id, tenant, request.Eligibility!, reason);
        return await store.GetAsync(id) is { } now ? TypedResults.Ok(now) : ApiProblems.ContainerNotFound(id);
    }
}
