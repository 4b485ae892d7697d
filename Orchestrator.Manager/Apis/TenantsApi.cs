using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Enrollment;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Redis;
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

    public static async Task<Ok<TenantListResponse>> ListAsync(ContainerStore containers, TenantQuotas quotas, OperatorStore operators, CallerScope caller)
    {
        var tenants = (await UsageAsync(containers, quotas, operators)).Values.Where(t => caller.Sees(t.TenantId))
            .OrderBy(t => t.TenantId, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new TenantListResponse(tenants, tenants.Count));
    }

    public static async Task<Results<Ok<TenantView>, ProblemHttpResult>> GetAsync(
        string id, ContainerStore containers, TenantQuotas quotas, OperatorStore operators, CallerScope caller) =>
        caller.Sees(id) && (await UsageAsync(containers, quotas, operators)).TryGetValue(id, out var tenant)
            ? TypedResults.Ok(tenant) : UnknownTenant(id);

    public static async Task<Results<Ok<TenantView>, ValidationProblem, ProblemHttpResult>> SetQuotaAsync(
        string id, SetTenantQuotaRequest request, ContainerStore containers, TenantQuotas quotas, OperatorStore operators, CallerScope caller,
        AuditLog audit, TenantQuotaGate gate, HttpResponse response)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EnrollmentValidation.IsIdentifier(id)) errors["tenant_id"] = ["tenant_id must be 1-128 letters, digits, '.', '_' or '-'."];
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
        var usage = (await UsageAsync(containers, quotas, operators)).GetValueOrDefault(id) ?? new TenantView(id, 0, 0, null, null);
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

    // Every known tenant: one with a container, a quota or an operator. A tenant's agents are what its containers
    // hold (assigned_agents), the figure its max_agents quota is checked against.
    private static async Task<Dictionary<string, TenantView>> UsageAsync(ContainerStore containers, TenantQuotas quotas, OperatorStore operators)
    {
        var byTenant = (await containers.ListAsync()).Where(c => c.OrchestratorId().Length > 0).GroupBy(c => c.OrchestratorId())
            .ToDictionary(g => g.Key, g => (Containers: g.Count(), Agents: g.Sum(c => c.AssignedAgents)), StringComparer.Ordinal);
        var limits = await quotas.ReadAllAsync();
        var named = (await operators.ListAsync()).SelectMany(o => o.Tenants);
        return byTenant.Keys.Concat(limits.Keys).Concat(named).Distinct(StringComparer.Ordinal).ToDictionary(t => t, t =>
        {
            var (count, agents) = byTenant.GetValueOrDefault(t);
            var quota = limits.GetValueOrDefault(t) ?? TenantQuota.None;
            return new TenantView(t, count, agents, quota.MaxContainers, quota.MaxAgents, quota.RequireImageDigest);
        }, StringComparer.Ordinal);
    }

    private static ProblemHttpResult UnknownTenant(string id) => ApiProblems.Problem(ProblemTypes.UnknownTenant, $"No tenant '{id}'.",
        new Dictionary<string, object?> { ["tenant"] = id });
}
