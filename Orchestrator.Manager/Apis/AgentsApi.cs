using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
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
        return app;
    }

    public static async Task<Results<Created<DeployResponse>, ValidationProblem, ProblemHttpResult>> DeployAsync(
        DeployRequest request, [FromHeader(Name = ManagerRoutes.IdempotencyKeyHeader)] string? idempotencyKey, ClaimsPrincipal user,
        CallerScope caller, AgentScheduler scheduler, IdempotencyStore idempotency, IOptions<SchedulingOptions> options,
        IOptions<LimitsOptions> limits, AuditLog audit, TenantMetrics tenantMetrics, ImageDigestRequirement digests, HttpResponse response)
    {
        var result = await PlaceAsync(request, idempotencyKey, user, caller, scheduler, idempotency, options, limits, digests, response);
        var (outcome, target, tenant) = result.Result switch
        {
            Created<DeployResponse> created => (AuditOutcomes.Success, created.Value!.DeploymentId,
                created.Value.Agents.Select(a => a.OrchestratorId).Distinct().Count() == 1 ? created.Value.Agents[0].OrchestratorId : ""),
            ProblemHttpResult { StatusCode: 404 } => (AuditOutcomes.NotFound, request.AgentType ?? "", caller.DefaultTenant),
            _ => (AuditOutcomes.Refused, request.AgentType ?? "", caller.DefaultTenant),
        };
        await audit.RecordAsync(caller, AuditActions.Deploy, target, outcome, tenant);
        if (result.Result is Created<DeployResponse> placed) tenantMetrics.Placed(placed.Value!.Agents.Select(a => a.OrchestratorId));
        else tenantMetrics.Refused(tenant);
        return result;
    }

    private static async Task<Results<Created<DeployResponse>, ValidationProblem, ProblemHttpResult>> PlaceAsync(
        DeployRequest request, string? idempotencyKey, ClaimsPrincipal user, CallerScope caller,
        AgentScheduler scheduler, IdempotencyStore idempotency, IOptions<SchedulingOptions> options, IOptions<LimitsOptions> limits,
        ImageDigestRequirement digests, HttpResponse response)
    {
        if (request.Limits(limits.Value) is { Count: > 0 } tooLarge) return TypedResults.ValidationProblem(tooLarge);
        if (request.ToCommand(options.Value, out var errors) is not { } command) return TypedResults.ValidationProblem(errors);
        // An operator places only within its tenants; naming another tenant is answered as an unknown one.
        if (command.OrchestratorId is { } pinned && !caller.Sees(pinned)) return TenantPlacement.UnknownTenant(request, pinned);
        command = command with { Tenants = caller.Tenants };
        var image = ContainerAgentConfig.ImageOf(request.AgentConfig);
        if (await digests.RefusingTenantAsync(command, image) is { } tenant)
            return TypedResults.ValidationProblem(ImageDigestRequirement.Refusal(tenant, image!));
        if (idempotencyKey is { Length: 0 or > 200 })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Idempotency-Key"] = ["Idempotency-Key must be 1-200 characters."] });
        if (idempotencyKey is null) return ToResult(await scheduler.DeployAsync(command), response);
        idempotencyKey = IdempotencyScope.For(user, idempotencyKey);

        var body = JsonSerializer.Serialize(request, ProtocolJsonContext.Default.DeployRequest);
        var (claim, stored) = await idempotency.ClaimAsync(idempotencyKey, body);
        switch (claim)
        {
            case IdempotencyStore.Claim.Replay:
                var replay = JsonSerializer.Deserialize(stored!, ProtocolJsonContext.Default.DeployResponse)!;
                return TypedResults.Created($"{ManagerRoutes.Agents}?deployment_id={replay.DeploymentId}", replay);
            case IdempotencyStore.Claim.InProgress:
                return ApiProblems.Problem(ProblemTypes.DeployInProgress,
                    "A deploy with this Idempotency-Key is still being processed; retry shortly.");
            case IdempotencyStore.Claim.Mismatch:
                return ApiProblems.Problem(ProblemTypes.IdempotencyKeyReused,
                    "This Idempotency-Key was used for a different request body.");
        }

        var outcome = await scheduler.DeployAsync(command);
        if (outcome is DeployOutcome.Placed placed)
            await idempotency.CompleteAsync(idempotencyKey, body,
                JsonSerializer.Serialize(placed.Response, ProtocolJsonContext.Default.DeployResponse), options.Value.IdempotencyRetention);
        else
            await idempotency.ReleaseAsync(idempotencyKey);
        return ToResult(outcome, response);
    }

    public const int DefaultPageSize = 1000;
    public const int MaxPageSize = 5000;

    // Paged like the containers listing, so it stays fast with any number of agents: a call without limit or cursor
    // answers the seed's shape with the first page (default 1000); follow next_cursor until it is null. Filters
    // apply within each page, so a filtered page may hold fewer. container_id reads only that container's agents.
    public static async Task<Results<Ok<AgentListResponse>, ValidationProblem>> ListAsync(
        [FromQuery(Name = "container_id")] string? containerId, [FromQuery(Name = "agent_type")] string? agentType,
        string? state, int? limit, string? cursor, AgentStore agents, ContainerStore containers, CallerScope caller)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxPageSize) errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        if (cursor is not null && !ulong.TryParse(cursor, out _)) errors["cursor"] = ["cursor must be a next_cursor this API returned."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var (records, next) = containerId is not null
            ? (await agents.ListOnContainerAsync(containerId), "0")
            : await agents.ListPageAsync(cursor ?? "0", limit ?? DefaultPageSize);
        var statuses = await containers.StatusesAsync(records.Select(a => a.ContainerId));
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
    public static async Task<Results<Ok<AgentView>, ProblemHttpResult>> GetAsync(string id, AgentStore agents, ContainerStore containers, CallerScope caller)
    {
        if (await agents.GetAsync(id) is not { } agent || !caller.Sees(agent.OrchestratorId)) return AgentNotFound(id);
        var container = await containers.GetAsync(agent.ContainerId);
        return TypedResults.Ok(agent.ToView(container?.Status));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, AgentStore agents, CallerScope caller, AuditLog audit, EventLog events,
        TenantMetrics tenantMetrics)
    {
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

    private static Results<Created<DeployResponse>, ValidationProblem, ProblemHttpResult> ToResult(DeployOutcome outcome, HttpResponse response) => outcome switch
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
