using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Deployments;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Deployments (issue 25): readers see their tenants' deployments; writers create, change and steer them.
public static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        var readers = app.MapGroup(string.Empty).WithTags("Deployments").RequireAuthorization(Policies.Reader);
        readers.MapGet(ManagerRoutes.Deployments, ListAsync).WithSummary("List deployments with their state and per-revision counts");
        readers.MapGet(ManagerRoutes.Deployment, GetAsync).WithSummary("One deployment");
        readers.MapGet(ManagerRoutes.DeploymentRevisions, RevisionsAsync).WithSummary("A deployment's revisions");
        var writers = app.MapGroup(string.Empty).WithTags("Deployments").RequireAuthorization(Policies.Writer);
        writers.MapPost(ManagerRoutes.Deployments, CreateAsync).WithSummary("Create a deployment: place its replicas as revision 1")
            .RequireRateLimiting(RateLimitPolicies.Deploys);
        writers.MapPut(ManagerRoutes.Deployment, UpdateAsync).WithSummary("Change a deployment: a new spec rolls out a new revision; replicas scale");
        writers.MapDelete(ManagerRoutes.Deployment, DeleteAsync).WithSummary("Stop every agent of a deployment and remove it");
        writers.MapPost(ManagerRoutes.DeploymentPromote, (string id, DeploymentOperations ops, CallerScope caller) =>
            ViewAsync(id, ops, ops.PromoteAsync(id, caller))).WithSummary("Let a rollout waiting on its canaries go on");
        writers.MapPost(ManagerRoutes.DeploymentPause, (string id, DeploymentOperations ops, CallerScope caller) =>
            ViewAsync(id, ops, ops.PauseAsync(id, caller))).WithSummary("Hold a rollout");
        writers.MapPost(ManagerRoutes.DeploymentResume, (string id, DeploymentOperations ops, CallerScope caller) =>
            ViewAsync(id, ops, ops.ResumeAsync(id, caller))).WithSummary("Go on with a paused rollout");
        writers.MapPost(ManagerRoutes.DeploymentRevert, (string id, string? revision, DeploymentOperations ops, CallerScope caller) =>
            ViewAsync(id, ops, ops.RevertAsync(id, revision, caller))).WithSummary("Roll back to a revision (?revision=N, default the stable one)");
        return app;
    }

    public static async Task<Results<Created<DeploymentView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateDeploymentRequest request, ClaimsPrincipal user, CallerScope caller, DeploymentOperations ops, DeploymentStore store, HttpResponse response)
    {
        var result = await ops.CreateAsync(request, user, caller);
        if (result.Placed is { } placed && await store.GetAsync(placed.DeploymentId) is { } record)
            return TypedResults.Created($"{ManagerRoutes.Deployments}/{record.Id}", await ops.ViewAsync(record));
        return Refusal(result, response);
    }

    public static async Task<Ok<DeploymentListResponse>> ListAsync(DeploymentOperations ops, CallerScope caller)
    {
        var views = await ops.ListAsync(caller);
        return TypedResults.Ok(new DeploymentListResponse(views, views.Count));
    }

    public static async Task<Results<Ok<DeploymentView>, ProblemHttpResult>> GetAsync(string id, DeploymentOperations ops, CallerScope caller) =>
        await ops.FindAsync(id, caller) is { } record ? TypedResults.Ok(await ops.ViewAsync(record)) : NotFound(id);

    public static async Task<Results<Ok<RevisionListResponse>, ProblemHttpResult>> RevisionsAsync(string id, DeploymentOperations ops, CallerScope caller) =>
        await ops.FindAsync(id, caller) is { } record ? TypedResults.Ok(DeploymentOperations.Revisions(record)) : NotFound(id);

    public static async Task<Results<Ok<DeploymentView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(string id, UpdateDeploymentRequest request,
        DeploymentOperations ops, CallerScope caller, HttpResponse response) =>
        await ops.UpdateAsync(id, request, caller) switch
        {
            DeploymentOperations.Change.Done done => TypedResults.Ok(await ops.ViewAsync(done.Record)),
            DeploymentOperations.Change.Refused refused => Refusal(refused.Result, response) switch
            {
                { Result: ValidationProblem v } => v,
                { Result: ProblemHttpResult p } => p,
                var other => throw new InvalidOperationException("Unexpected refusal " + other.Result),
            },
            var other => Problem(id, other),
        };

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, DeploymentOperations ops, CallerScope caller) =>
        await ops.DeleteAsync(id, caller) is DeploymentOperations.Change.Done ? TypedResults.NoContent() : NotFound(id);

    private static async Task<Results<Ok<DeploymentView>, ValidationProblem, ProblemHttpResult>> ViewAsync(string id, DeploymentOperations ops,
        Task<DeploymentOperations.Change> change) =>
        await change switch
        {
            DeploymentOperations.Change.Done done => TypedResults.Ok(await ops.ViewAsync(done.Record)),
            var other => Problem(id, other),
        };

    private static Results<Ok<DeploymentView>, ValidationProblem, ProblemHttpResult> Problem(string id, DeploymentOperations.Change change) => change switch
    {
        DeploymentOperations.Change.NotFound => NotFound(id),
        DeploymentOperations.Change.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
        DeploymentOperations.Change.Conflict conflict => ApiProblems.Problem(ProblemTypes.DeploymentConflict, conflict.Detail,
            new Dictionary<string, object?> { ["deployment_id"] = id }),
        _ => throw new InvalidOperationException("Unexpected deployment change " + change),
    };

    // A deploy's refusal as the deploy call answers it (the field names already the deployment body's).
    private static Results<Created<DeploymentView>, ValidationProblem, ProblemHttpResult> Refusal(DeployResult result, HttpResponse response) => result switch
    {
        DeployResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
        DeployResult.UnknownTenant unknown => ApiProblems.Problem(ProblemTypes.UnknownTenant, $"No tenant '{unknown.Tenant}' among this operator's tenants.",
            new Dictionary<string, object?> { ["field"] = "tenant", ["tenant"] = unknown.Tenant }),
        DeployResult.Scheduled scheduled => AgentsApi.ToResult(scheduled.Outcome, response).Result switch
        {
            ProblemHttpResult problem => problem,
            ValidationProblem validation => validation,
            var other => throw new InvalidOperationException("Unexpected deploy answer " + other),
        },
        _ => throw new InvalidOperationException("Unexpected deploy result " + result),
    };

    private static ProblemHttpResult NotFound(string id) => ApiProblems.Problem(ProblemTypes.UnknownDeployment,
        $"No deployment with deployment_id '{id}'.", new Dictionary<string, object?> { ["deployment_id"] = id });
}
