using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Enrollment;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Telemetry;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

public static class ContainersApi
{
    public static IEndpointRouteBuilder MapContainersApi(this IEndpointRouteBuilder app)
    {
        // Orchestrators (cluster tokens, own container only) and operators.
        var clusters = app.MapGroup(string.Empty).WithTags("Containers")
            .RequireAuthorization(Policies.ClusterMember).RequireContainerIds();
        clusters.MapPost(ManagerRoutes.Register, RegisterAsync).WithSummary("Register a container, or update it under the same container_name")
            .RequireRateLimiting(RateLimitPolicies.Registrations);
        clusters.MapPost(ManagerRoutes.Heartbeat, HeartbeatAsync).WithSummary("Report liveness, health and load");

        // Readers (admin, and operators and viewers within their tenants).
        var readers = app.MapGroup(string.Empty).WithTags("Containers")
            .RequireAuthorization(Policies.Reader).RequireContainerIds();
        readers.MapGet(ManagerRoutes.Containers, ListAsync).WithSummary("List containers, paged (?limit=, ?cursor=), optionally ?status=healthy|unhealthy|lost");
        readers.MapGet(ManagerRoutes.Container, GetAsync).WithSummary("One container");

        // The admin only: deregistering is not among what a scoped operator may do (it revokes instead).
        app.MapGroup(string.Empty).WithTags("Containers").RequireAuthorization(Policies.Admin).RequireContainerIds()
            .MapDelete(ManagerRoutes.Container, DeleteAsync).WithSummary("Deregister a container");
        return app;
    }

    public static async Task<Results<Created<RegisterContainerResponse>, Ok<RegisterContainerResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterContainerRequest request, ClaimsPrincipal user, ContainerStore store, IOptions<ManagerOptions> options, ManagerMetrics metrics,
        IOptions<LimitsOptions> limits, EventLog events, NodeVersionPolicy versions)
    {
        if (request.Validate().WithinLimits(request, limits.Value) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (ProtocolRefusal(request.ProtocolVersion, versions) is { } refused) return refused;
        var settings = options.Value;
        if (!settings.EnableDistributed)
            return ApiProblems.Problem(ProblemTypes.DistributedModeOff,
                "ENABLE_DISTRIBUTED is false: this manager accepts no orchestrator registrations.");
        var name = request.ContainerName!.Trim();
        if (user.BoundContainerName() is { } bound && bound != name) return ApiProblems.NotYourContainer();

        var registration = new ContainerRegistration(
            name, request.HostAddress!.Trim(), request.ApiPort!.Value, request.Capabilities ?? [],
            Raw(request.Resources), Raw(request.Metadata), MaxAgents(request, settings));
        var node = user.Node();
        if (node is not null)
        {
            // An enrolled node: its customer is fixed and its claims stay within its enrollment token's bounds.
            if (await store.BoundsAsync(node.ContainerId) is not { } stored) return ApiProblems.CredentialRevoked();
            var bounds = JsonSerializer.Deserialize(stored, EnrollmentJsonContext.Default.NodeBounds)!;
            var (accepted, refusal) = NodeClaims.Check(request, bounds, node.OrchestratorId);
            if (refusal is not null)
                return ApiProblems.Field(ProblemTypes.BeyondBounds, refusal.Field, refusal.Detail);
            registration = registration with { Capabilities = accepted!.Capabilities, MetadataJson = accepted.MetadataJson, MaxAgents = accepted.MaxAgents };
        }

        var result = await store.RegisterAsync(registration, node?.ContainerId, node?.CredentialVersion);
        if (result.Revoked) return ApiProblems.CredentialRevoked();
        await store.SetVersionsAsync(result.ContainerId, request.NodeVersion, request.ProtocolVersion);
        metrics.Registered(result.Created);
        events.ContainerRegistered(result.ContainerId, node?.OrchestratorId, result.Created);
        var response = new RegisterContainerResponse(result.ContainerId, name, ContainerStatus.Healthy, settings.HeartbeatSeconds());
        return result.Created
            ? TypedResults.Created(ManagerRoutes.WithId(ManagerRoutes.Container, result.ContainerId), response)
            : TypedResults.Ok(response);
    }

    // 426 naming the protocols this manager accepts (issue 27); null when the node's protocol is accepted.
    public static ProblemHttpResult? ProtocolRefusal(int? protocolVersion, NodeVersionPolicy versions) =>
        versions.Accepts(protocolVersion) ? null : ApiProblems.Problem(ProblemTypes.ProtocolNotAccepted, versions.RefusalDetail(protocolVersion!.Value),
            new Dictionary<string, object?>
            {
                ["field"] = "protocol_version",
                ["protocol_version"] = protocolVersion,
                ["accepted_protocol_versions"] = NodeProtocol.Accepted,
                ["recommended_node_version"] = versions.RecommendedNodeVersion,
            });

    public static async Task<Results<Ok<HeartbeatResponse>, ValidationProblem, ProblemHttpResult>> HeartbeatAsync(
        string id, HeartbeatRequest request, ClaimsPrincipal user, ContainerStore store, IOptions<ManagerOptions> options,
        ManagerMetrics metrics, TimeProvider time, EventLog events, TenantMetrics tenantMetrics, HttpContext http, UpgradeAdvice advice)
    {
        var started = time.GetTimestamp();
        if (request.Validate(id) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!user.MayActFor(id)) return ApiProblems.NotYourContainer();
        var report = new HeartbeatReport(request.HealthScore!.Value, request.ActiveAgents!.Value, Raw(request.Resources),
            request.Agents is { ValueKind: JsonValueKind.Array } agents ? agents.GetRawText() : null,
            request.RoundTripMs is >= 0 ? request.RoundTripMs : null, request.Failures is >= 0 ? request.Failures : null,
            request.NodeVersion, request.ProtocolVersion);
        var result = await store.HeartbeatAsync(id, report, user.BoundContainerName(), user.CredentialVersion());
        metrics.Heartbeat(result.Outcome, time.GetElapsedTime(started));
        // The tenant an enrolled node's token names (free: no Redis read on the heartbeat path).
        if (result.Outcome == HeartbeatOutcome.Accepted) tenantMetrics.Heartbeat(user.FindFirstValue(ManagerClaims.OrchestratorId));
        events.ContainerRecovered(id, result.StatusBefore);
        // A routine beat (accepted, nothing recovered) from a client that sent no trace context (the seed's nodes,
        // curl) is quiet, with its Redis calls: ours decide for themselves (BackgroundPass), and the others would
        // add a root trace per node per interval to the dashboard.
        if (result is { Outcome: HeartbeatOutcome.Accepted, StatusBefore: ContainerStatus.Healthy } && !http.Request.Headers.ContainsKey("traceparent"))
            System.Diagnostics.Activity.Current.Quiet();
        return result.Outcome switch
        {
            HeartbeatOutcome.UnknownContainer => ApiProblems.ContainerNotFound(id),
            HeartbeatOutcome.WrongContainer => ApiProblems.NotYourContainer(),
            HeartbeatOutcome.Revoked => ApiProblems.CredentialRevoked(),
            _ => TypedResults.Ok(new HeartbeatResponse("ok", ContainerStatus.Healthy, options.Value.HeartbeatSeconds(),
                await advice.ForAsync(id, request.NodeVersion, user.FindFirstValue(ManagerClaims.OrchestratorId)))),
        };
    }

    public const int DefaultPageSize = 1000;
    public const int MaxPageSize = 5000;

    // Paged, so that listing stays fast with a fleet of any size: follow next_cursor until it is null.
    public static async Task<Results<Ok<ContainerListResponse>, ValidationProblem>> ListAsync(
        string? status, int? limit, string? cursor, ContainerStore store, CallerScope caller)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !ContainerStatus.All.Contains(status))
            errors["status"] = [$"status must be one of {string.Join(", ", ContainerStatus.All)}."];
        if (limit is < 1 or > MaxPageSize) errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        if (cursor is not null && !ulong.TryParse(cursor, out _)) errors["cursor"] = ["cursor must be a next_cursor this API returned."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        // A scoped caller's pages hold only its tenants' containers, filled from further store pages (ScopedPages).
        var (page, next) = await ScopedPages.FillAsync(cursor ?? "0", limit ?? DefaultPageSize,
            (from, count) => store.ListPageAsync(from, count, status), c => caller.Sees(c.OrchestratorId()));
        page = page.OrderBy(c => c.ContainerName, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new ContainerListResponse(page, page.Count, next == "0" ? null : next));
    }

    // Another tenant's container is answered as unknown, so its id cannot be probed.
    public static async Task<Results<Ok<ContainerView>, ProblemHttpResult>> GetAsync(string id, ContainerStore store, CallerScope caller) =>
        await store.GetAsync(id) is { } container && caller.Sees(container.OrchestratorId()) ? TypedResults.Ok(container) : ApiProblems.ContainerNotFound(id);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, ContainerStore store, CallerScope caller, AuditLog audit)
    {
        var tenant = (await store.GetAsync(id))?.OrchestratorId() ?? "";
        var deleted = await store.DeleteAsync(id);
        await audit.RecordAsync(caller, AuditActions.Delete, id, deleted ? AuditOutcomes.Success : AuditOutcomes.NotFound, tenant);
        return deleted ? TypedResults.NoContent() : ApiProblems.ContainerNotFound(id);
    }

    private static int MaxAgents(RegisterContainerRequest request, ManagerOptions settings) =>
        request.MaxAgents
        ?? (request.Metadata is { ValueKind: JsonValueKind.Object } metadata && metadata.TryGetProperty("max_agents", out var max)
            ? max.GetInt32() : settings.DefaultMaxAgents);

    private static string Raw(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Object } value ? value.GetRawText() : "{}";
}
