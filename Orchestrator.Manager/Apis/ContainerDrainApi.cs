using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Recovery;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Drain (issue 27): writers of the container's tenant cordon it and have its reschedule agents moved off
// (ContainerDrains). Answers the container, whose `drain` shows the progress; audited (a forced drain as its own action).
public static class ContainerDrainApi
{
    public static IEndpointRouteBuilder MapContainerDrainApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Containers").RequireAuthorization(Policies.Writer).RequireContainerIds()
            .MapPost(ManagerRoutes.ContainerDrain, DrainAsync)
            .WithSummary("Drain a container: cordon it, then move its reschedule agents off (deadline_seconds, max_parallel, force)");
        return app;
    }

    public static async Task<Results<Ok<ContainerView>, ValidationProblem, ProblemHttpResult>> DrainAsync(
        string id, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] DrainRequest? request,
        ContainerStore store, ContainerDrains drains, CallerScope caller, AuditLog audit, EventLog events)
    {
        request ??= new DrainRequest();
        var action = request.Force == true ? AuditActions.DrainForced : AuditActions.Drain;
        var errors = new Dictionary<string, string[]>();
        if (request.DeadlineSeconds is { } deadline && deadline is < 1 or > ContainerDrains.MaxDeadlineSeconds)
            errors["deadline_seconds"] = [$"deadline_seconds must be from 1 to {ContainerDrains.MaxDeadlineSeconds}."];
        if (request.MaxParallel is { } parallel && parallel is < 1 or > ContainerDrains.MaxParallelLimit)
            errors["max_parallel"] = [$"max_parallel must be from 1 to {ContainerDrains.MaxParallelLimit}."];
        var container = await store.GetAsync(id);
        var tenant = container?.OrchestratorId() ?? "";
        if (container is null || !caller.Sees(tenant))
        {
            await audit.RecordAsync(caller, action, id, AuditOutcomes.NotFound, caller.DefaultTenant);
            return ApiProblems.ContainerNotFound(id);
        }
        if (errors.Count > 0)
        {
            await audit.RecordAsync(caller, action, id, AuditOutcomes.Refused, tenant);
            return TypedResults.ValidationProblem(errors);
        }
        var started = await drains.StartAsync(id, request.DeadlineSeconds ?? ContainerDrains.DefaultDeadlineSeconds, request.MaxParallel ?? 1,
            request.Force == true);
        if (started?.Drain is not { } drain)
        {
            await audit.RecordAsync(caller, action, id, AuditOutcomes.NotFound, tenant);
            return ApiProblems.ContainerNotFound(id);
        }
        await audit.RecordAsync(caller, action, id, AuditOutcomes.Success, tenant);
        events.ContainerEligibilityChanged(id, tenant, ContainerEligibility.Ineligible, "draining");
        events.ContainerDrain(id, tenant, drain);
        return TypedResults.Ok(started);
    }
}
