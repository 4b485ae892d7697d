using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Secrets;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// A tenant's secrets: write-only. Operators of the tenant (and the admin) set and delete them; readers list names,
// versions and times. No answer, audit entry or event ever holds a value.
public static class SecretsApi
{
    public static IEndpointRouteBuilder MapSecretsApi(this IEndpointRouteBuilder app)
    {
        var secrets = app.MapGroup(string.Empty).WithTags("Secrets");
        secrets.MapGet(ManagerRoutes.TenantSecrets, ListAsync).RequireAuthorization(Policies.Reader)
            .WithSummary("A tenant's secrets: names, versions and times, never values");
        secrets.MapPut(ManagerRoutes.TenantSecret, PutAsync).RequireAuthorization(Policies.Writer)
            .WithSummary("Set a secret's value (write-only); its version grows by one");
        secrets.MapDelete(ManagerRoutes.TenantSecret, DeleteAsync).RequireAuthorization(Policies.Writer)
            .WithSummary("Delete a secret");
        return app;
    }

    public static async Task<Results<Ok<SecretListResponse>, ProblemHttpResult>> ListAsync(string id, [AsParameters] SecretServices services)
    {
        if (!services.Caller.Sees(id)) return UnknownTenant(id);
        var secrets = await services.Store.ListAsync(id);
        return TypedResults.Ok(new SecretListResponse(secrets, secrets.Count));
    }

    public static async Task<Results<Ok<SecretView>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string id, string name, PutSecretRequest request, [AsParameters] SecretServices services)
    {
        if (!services.Caller.Sees(id)) return UnknownTenant(id);
        if (SecretValidation.Validate(id, name, request) is { Count: > 0 } errors)
        {
            await services.Audit.RecordAsync(services.Caller, AuditActions.SecretPut, name, AuditOutcomes.Refused, id);
            return TypedResults.ValidationProblem(errors);
        }
        var view = await services.Store.PutAsync(id, name, request.Value!);
        await services.Audit.RecordAsync(services.Caller, AuditActions.SecretPut, name, AuditOutcomes.Success, id);
        // A new value of a secret in use rolls the deployments that reference it (issue 26's rotation).
        if (view.Version > 1) await services.Deployments.RestartForSecretAsync(id, name, services.Caller);
        return TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, string name, [AsParameters] SecretServices services)
    {
        if (!services.Caller.Sees(id)) return UnknownTenant(id);
        var deleted = await services.Store.DeleteAsync(id, name);
        await services.Audit.RecordAsync(services.Caller, AuditActions.SecretDelete, name, deleted ? AuditOutcomes.Success : AuditOutcomes.NotFound, id);
        return deleted ? TypedResults.NoContent()
            : ApiProblems.Problem(ProblemTypes.UnknownSecret, $"Tenant '{id}' has no secret named '{name}'.",
                new Dictionary<string, object?> { ["name"] = name, ["tenant"] = id });
    }

    private static ProblemHttpResult UnknownTenant(string id) => ApiProblems.Problem(ProblemTypes.UnknownTenant, $"No tenant '{id}'.",
        new Dictionary<string, object?> { ["tenant_id"] = id });
}

// The services every secrets route uses, bound with [AsParameters].
public sealed record SecretServices(SecretStore Store, AuditLog Audit, CallerScope Caller, Deployments.DeploymentOperations Deployments);
