using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Scoped operators (admin only): each sees and acts only within its tenants; DELETE revokes at once.
public static class OperatorsApi
{
    public static IEndpointRouteBuilder MapOperatorsApi(this IEndpointRouteBuilder app)
    {
        var operators = app.MapGroup(string.Empty).WithTags("Operators").RequireAuthorization(Policies.Admin);
        operators.MapPost(ManagerRoutes.Operators, CreateAsync).WithSummary("Create a scoped operator or viewer; its api_key is shown once");
        operators.MapGet(ManagerRoutes.Operators, ListAsync).WithSummary("List scoped operators, without their keys");
        operators.MapDelete(ManagerRoutes.Operator, DeleteAsync).WithSummary("Delete an operator: its tokens stop at their next request");
        return app;
    }

    public static async Task<Results<Created<OperatorCreated>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateOperatorRequest request, OperatorStore store, CallerScope caller, AuditLog audit)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            await audit.RecordAsync(caller, AuditActions.OperatorCreate, request.Name ?? "", AuditOutcomes.Refused, "");
            return TypedResults.ValidationProblem(errors);
        }
        var tenants = request.Tenants!.Distinct(StringComparer.Ordinal).ToList();
        var created = await store.CreateAsync(request.Name!, request.Role!, tenants);
        await audit.RecordAsync(caller, AuditActions.OperatorCreate, request.Name!, created is null ? AuditOutcomes.Refused : AuditOutcomes.Success,
            tenants.Count == 1 ? tenants[0] : "");
        if (created is null)
            return ApiProblems.Field(ProblemTypes.OperatorNameTaken, "name", $"An operator named '{request.Name}' exists; delete it first or choose another name.");
        return TypedResults.Created(ManagerRoutes.WithId(ManagerRoutes.Operator, created.Name), created);
    }

    public static async Task<Ok<OperatorListResponse>> ListAsync(OperatorStore store)
    {
        var operators = await store.ListAsync();
        return TypedResults.Ok(new OperatorListResponse(operators, operators.Count));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, OperatorStore store, CallerScope caller, AuditLog audit)
    {
        var tenants = (await store.FindAsync(name))?.Tenants ?? [];
        var deleted = await store.DeleteAsync(name);
        await audit.RecordAsync(caller, AuditActions.OperatorDelete, name, deleted ? AuditOutcomes.Success : AuditOutcomes.NotFound,
            tenants.Count == 1 ? tenants[0] : "");
        return deleted ? TypedResults.NoContent() : ApiProblems.Problem(ProblemTypes.UnknownOperator, $"No operator named '{name}'.",
            new Dictionary<string, object?> { ["name"] = name });
    }
}
