using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Enrollment;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Tenants (orchestrator_ids) with their usage and quotas: readers see theirs, the admin sets quotas.
public static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var readers = app.MapGroup(string.Empty).WithTags("Tenants").RequireAuthorization(Policies.Reader);
        readers.MapGet(ManagerRoutes.Tenants, ListAsync).WithSummary("Tenants with their containers, agents and quotas");
        readers.MapGet(ManagerRoutes.Tenant, GetAsync).WithSummary("One tenant with its usage and quotas");
        app.MapGroup(string.Empty).WithTags("Tenants").RequireAuthorization(Policies.Admin)
            .MapPut(ManagerRoutes.Tenant, SetQuotaAsync).WithSummary("Set a tenant's quotas (max_containers, max_agents; null: no limit) and require_image_digest");
        return app;
    }

    public static async Task<Ok<TenantListResponse>> ListAsync(TenantUsage usage, CallerScope caller)
    {
        var tenants = (await usage.ReadAsync()).Values.Where(t => caller.Sees(t.TenantId))
            .OrderBy(t => t.TenantId, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new TenantListResponse(tenants, tenants.Count));
    }

    public static async Task<Results<Ok<TenantView>, ProblemHttpResult>> GetAsync(
        string id, TenantUsage usage, CallerScope caller) =>
        caller.Sees(id) && (await usage.ReadAsync()).TryGetValue(id, out var tenant)
            ? TypedResults.Ok(tenant) : UnknownTenant(id);

    public static async Task<Results<Ok<TenantView>, ValidationProblem, ProblemHttpResult>> SetQuotaAsync(
        string id, SetTenantQuotaRequest request, [AsParameters] TenantServices services, CallerScope caller, HttpResponse response)
    {
        var (quotas, audit, gate) = (services.Quotas, services.Audit, services.Gate);
        var errors = new Dictionary<string, string[]>();
        if (!RequestValidation.IsIdentifier(id)) errors["tenant_id"] = ["tenant_id must be 1-128 letters, digits, '.', '_' or '-'."];
        if (request.MaxContainers is < 0) errors["max_containers"] = ["max_containers must not be negative (null: no limit)."];
        if (request.MaxAgents is < 0) errors["max_agents"] = ["max_agents must not be negative (null: no limit)."];
        if (errors.Count > 0)
        {
            await audit.RecordAsync(caller, AuditActions.QuotaChange, id, AuditOutcomes.Refused, id);
            return TypedResults.ValidationProblem(errors);
        }
        // Both quota leases are held from the usage read to the write, so no deploy or enrollment checking this
        // tenant's old quota can land after a lower one was accepted.
        await using var agentsLease = await gate.EnterAsync(TenantQuotaGate.Agents, [id]);
        await using var containersLease = agentsLease is null ? null : await gate.EnterAsync(TenantQuotaGate.Containers, [id]);
        if (containersLease is null) return ApiProblems.QuotaBusy(response, id, field: null, "deploys or enrollments");
        var usage = (await services.Usage.ReadAsync()).GetValueOrDefault(id) ?? new TenantView(id, 0, 0, null, null);
        var below = request.MaxContainers < usage.Containers ? ("max_containers", usage.Containers)
            : request.MaxAgents < usage.Agents ? ("max_agents", usage.Agents) : default((string Field, int Used)?);
        if (below is { } b)
        {
            await audit.RecordAsync(caller, AuditActions.QuotaChange, id, AuditOutcomes.Refused, id);
            return ApiProblems.Problem(ProblemTypes.QuotaBelowUsage, $"Tenant '{id}' uses {b.Used} now; {b.Field} may not be set below that.",
                new Dictionary<string, object?> { ["field"] = b.Field, ["tenant"] = id });
        }
        var requireDigest = request.RequireImageDigest ?? false;
        await quotas.SetAsync(id, new TenantQuota(request.MaxContainers, request.MaxAgents, requireDigest));
        await audit.RecordAsync(caller, AuditActions.QuotaChange, id, AuditOutcomes.Success, id);
        return TypedResults.Ok(usage with { MaxContainers = request.MaxContainers, MaxAgents = request.MaxAgents, RequireImageDigest = requireDigest });
    }

    private static ProblemHttpResult UnknownTenant(string id) => ApiProblems.Problem(ProblemTypes.UnknownTenant, $"No tenant '{id}'.",
        new Dictionary<string, object?> { ["tenant"] = id });
}
