using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Deployments;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

public static class AgentsApi
{
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        // Readers see their tenants' agents; writers (admin, operators) place and stop them within their tenants.
        var readers = app.MapGroup(string.Empty).WithTags("Agents").RequireAuthorization(Policies.Reader).RequireAgentIds();
        readers.MapGet(ManagerRoutes.Agents, ListAsync).WithSummary("List agents, paged (?limit=, ?cursor=), optionally by container_id, agent_type or state");
        readers.MapGet(ManagerRoutes.Agent, GetAsync).WithSummary("One agent, with the state its orchestrator reported");
        var writers = app.MapGroup(string.Empty).WithTags("Agents").RequireAuthorization(Policies.Writer).RequireAgentIds();
        writers.MapPost(ManagerRoutes.Deploy, DeployAsync).WithSummary("Place agents on orchestrator clusters (Idempotency-Key supported)")
            .RequireRateLimiting(RateLimitPolicies.Deploys);
        writers.MapDelete(ManagerRoutes.Agent, DeleteAsync).WithSummary("Stop an agent and remove it");
        writers.MapPost(ManagerRoutes.AgentRestart, RestartAsync).WithSummary("Restart an agent in place: same spec, next epoch, same node and data");
        return app;
    }

    public static async Task<Results<Created<DeployResponse>, ValidationProblem, ProblemHttpResult>> DeployAsync(
        DeployRequest request, [FromHeader(Name = ManagerRoutes.IdempotencyKeyHeader)] string? idempotencyKey, ClaimsPrincipal user,
        CallerScope caller, [AsParameters] AgentServices services, HttpResponse response) =>
        await services.Deployments.DeployAsync(request, idempotencyKey, user, caller) switch
        {
            DeployResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            DeployResult.UnknownTenant unknown => TenantPlacement.UnknownTenant(request, unknown.Tenant),
            DeployResult.InProgress => ApiProblems.Problem(ProblemTypes.DeployInProgress,
                "A deploy with this Idempotency-Key is still being processed; retry shortly."),
            DeployResult.KeyReused => ApiProblems.Problem(ProblemTypes.IdempotencyKeyReused,
                "This Idempotency-Key was used for a different request body."),
            DeployResult.Replayed replay => TypedResults.Created($"{ManagerRoutes.Agents}?deployment_id={replay.Response.DeploymentId}", replay.Response),
            DeployResult.Scheduled scheduled => ToResult(scheduled.Outcome, response),
            var other => throw new InvalidOperationException("Unexpected deploy result " + other),
        };

    public const int DefaultPageSize = 1000;
    public const int MaxPageSize = 5000;

    // Paged like the containers listing, so it stays fast with any number of agents: a call without limit or cursor
    // answers the seed's shape with the first page (default 1000); follow next_cursor until it is null. Filters
    // apply within each page, so a filtered page may hold fewer. container_id reads only that container's agents.
    public static async Task<Results<Ok<AgentListResponse>, ValidationProblem>> ListAsync(
        [FromQuery(Name = "container_id")] string? containerId, [FromQuery(Name = "agent_type")] string? agentType,
        string? state, int? limit, string? cursor, [AsParameters] AgentServices services, CallerScope caller)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxPageSize) errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        if (cursor is not null && !ulong.TryParse(cursor, out _)) errors["cursor"] = ["cursor must be a next_cursor this API returned."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        // Another tenant's agents never count toward a page (ScopedPages), so they cannot be counted by walking it.
        var (records, next) = containerId is not null
            ? (await services.Agents.ListOnContainerAsync(containerId), "0")
            : await ScopedPages.FillAsync(cursor ?? "0", limit ?? DefaultPageSize, services.Agents.ListPageAsync, a => caller.Sees(a.OrchestratorId));
        var statuses = await services.Containers.StatusesAsync(records.Select(a => a.ContainerId));
        var views = records
            .Where(a => caller.Sees(a.OrchestratorId))
            .Select(a => a.ToView(statuses.GetValueOrDefault(a.ContainerId)))
            .Where(a => containerId is null || a.ContainerId == containerId)
            .Where(a => agentType is null || a.AgentType == agentType)
            .Where(a => state is null || a.State == state)
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.AgentId, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(new AgentListResponse(views, views.Count, next == "0" ? null : next));
    }

    // Another tenant's agent is answered as unknown, so its id cannot be probed.
    public static async Task<Results<Ok<AgentView>, ProblemHttpResult>> GetAsync(string id, [AsParameters] AgentServices services, CallerScope caller)
    {
        if (await services.Agents.GetAsync(id) is not { } agent || !caller.Sees(agent.OrchestratorId)) return AgentNotFound(id);
        var container = await services.Containers.GetAsync(agent.ContainerId);
        return TypedResults.Ok(agent.ToView(container?.Status));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, [AsParameters] AgentServices services, CallerScope caller)
    {
        var (agents, audit, events, tenantMetrics) = (services.Agents, services.Audit, services.Events, services.TenantMetrics);
        var agent = await agents.GetAsync(id);
        // A scoped caller stops only its tenants' agents (an agent that moved tenants meanwhile cannot: rescheduling keeps tenants).
        var visible = agent is not null && caller.Sees(agent.OrchestratorId);
        var container = visible ? await agents.RemoveAsync(id) : null;
        var removed = container is not null;
        if (removed) events.AgentStopped(id, container);
        await audit.RecordAsync(caller, AuditActions.Stop, id, removed ? AuditOutcomes.Success : AuditOutcomes.NotFound,
            visible ? agent!.OrchestratorId : caller.DefaultTenant);
        if (removed) tenantMetrics.Stopped(agent!.OrchestratorId);
        return removed ? TypedResults.NoContent() : AgentNotFound(id);
    }

    // The body is optional ({"force":true} overrides the agent's update lock for this start).
    public static async Task<Results<Ok<RestartAgentResponse>, ProblemHttpResult>> RestartAsync(string id,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RestartAgentRequest? request, AgentRestarter restarter, CallerScope caller) =>
        await restarter.RestartAsync(id, request?.Force ?? false, caller) is { } restarted ? TypedResults.Ok(restarted) : AgentNotFound(id);

    public static Results<Created<DeployResponse>, ValidationProblem, ProblemHttpResult> ToResult(DeployOutcome outcome, HttpResponse response) => outcome switch
    {
        DeployOutcome.Placed placed => TypedResults.Created(
            $"{ManagerRoutes.Agents}?deployment_id={placed.Response.DeploymentId}", placed.Response),
        DeployOutcome.Unsupported u => ApiProblems.Problem(ProblemTypes.UnsupportedAgentType,
            $"agent_type needs capability '{u.Capability}', which no registered orchestrator cluster offers."),
        DeployOutcome.NoMatch m => ApiProblems.Problem(ProblemTypes.NoMatchingCluster, m.Detail),
        DeployOutcome.OverQuota q => ApiProblems.Problem(ProblemTypes.QuotaExceeded,
            $"Tenant '{q.Tenant}' may run {q.Quota} agents (max_agents quota) and has {q.Used}; this deploy adds {q.Adding}. Nothing was deployed.",
            new Dictionary<string, object?> { ["field"] = "max_agents", ["tenant"] = q.Tenant }),
        DeployOutcome.QuotaBusy b => ApiProblems.QuotaBusy(response, b.Tenant, "max_agents", "deploys"),
        DeployOutcome.NoResources r => ApiProblems.Field(ProblemTypes.NoCapacity, $"agent_config.resources.{r.Resource}",
            $"No eligible healthy cluster has room for {r.Requested} agent(s) asking for " + (r.Resource == "cpus"
                ? $"{r.Demand.CpuMillis / 1000.0:0.###} CPUs each (resources.cpus against the node's cpu_count)"
                : $"{r.Demand.MemoryMb} MB each (resources.memory_mb against the node's memory_limit)") + ". Nothing was deployed."),
        DeployOutcome.NoCapacity c => ApiProblems.Problem(ProblemTypes.NoCapacity,
            $"{c.Requested} agent(s) requested but eligible healthy clusters have room for {c.Available}. Nothing was deployed."),
        _ => throw new InvalidOperationException("Unexpected deploy outcome " + outcome),
    };

    private static ProblemHttpResult AgentNotFound(string id) =>
        ApiProblems.Problem(ProblemTypes.UnknownAgent, $"No agent with agent_id '{id}'.", new Dictionary<string, object?> { ["agent_id"] = id });
}
