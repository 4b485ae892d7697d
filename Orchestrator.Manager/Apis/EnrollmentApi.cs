using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Enrollment;
using Orchestrator.Manager.Journal;
using Orchestrator.Protocol.Signing;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Telemetry;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Node identity: admins issue enrollment tokens; a node exchanges one for its own credential; admins revoke it.
public static class EnrollmentApi
{
    public static IEndpointRouteBuilder MapEnrollmentApi(this IEndpointRouteBuilder app)
    {
        // Readers list their tenants' tokens; writers (admin, operators for their own tenants) create and delete them.
        app.MapGroup(string.Empty).WithTags("Enrollment").RequireAuthorization(Policies.Reader)
            .MapGet(ManagerRoutes.EnrollmentTokens, ListAsync).WithSummary("List enrollment tokens, without their secrets");
        var tokens = app.MapGroup(string.Empty).WithTags("Enrollment").RequireAuthorization(Policies.Writer);
        tokens.MapPost(ManagerRoutes.EnrollmentTokens, CreateAsync).WithSummary("Create an enrollment token for one orchestrator_id (shown once)");
        tokens.MapDelete(ManagerRoutes.EnrollmentToken, DeleteAsync).WithSummary("Revoke an enrollment token");

        // The enrollment token is the credential here; login rate limits apply to failures.
        app.MapGroup(string.Empty).WithTags("Enrollment").AllowAnonymous()
            .MapPost(ManagerRoutes.Enroll, EnrollAsync).WithSummary("Exchange an enrollment token and a registration for a node credential");

        app.MapGroup(string.Empty).WithTags("Enrollment").RequireAuthorization(Policies.Writer)
            .MapPost(ManagerRoutes.Revoke, RevokeAsync).WithSummary("Revoke a node's credential; its agents are handled as on cluster loss");
        return app;
    }

    public static async Task<Results<Created<EnrollmentTokenCreated>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateEnrollmentTokenRequest request, EnrollmentTokenStore store, IOptions<ManagerOptions> options, CallerScope caller, AuditLog audit,
        ContainerStore containers)
    {
        if (request.Validate(options.Value.DefaultMaxAgents, out var errors) is not { } valid)
        {
            await audit.RecordAsync(caller, AuditActions.EnrollmentTokenCreate, "", AuditOutcomes.Refused, caller.DefaultTenant);
            return TypedResults.ValidationProblem(errors);
        }
        // An operator enrolls nodes for its own tenants only; another tenant is answered as unknown.
        if (!caller.Sees(valid.OrchestratorId))
        {
            await audit.RecordAsync(caller, AuditActions.EnrollmentTokenCreate, "", AuditOutcomes.NotFound, caller.DefaultTenant);
            return ApiProblems.Problem(ProblemTypes.UnknownTenant, $"No tenant '{valid.OrchestratorId}' among this operator's tenants.",
                new Dictionary<string, object?> { ["field"] = "orchestrator_id", ["tenant"] = valid.OrchestratorId });
        }
        // A token that takes over a live node names one of the same tenant's containers.
        var replaces = request.Replaces?.Trim();
        if (replaces is not null && (await containers.GetAsync(replaces))?.OrchestratorId() != valid.OrchestratorId)
        {
            await audit.RecordAsync(caller, AuditActions.EnrollmentTokenCreate, "", AuditOutcomes.Refused, valid.OrchestratorId);
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["replaces"] = [$"replaces must be the container_id of a container of orchestrator_id '{valid.OrchestratorId}'."],
            });
        }
        var created = await store.CreateAsync(valid.OrchestratorId, valid.Ttl, valid.MaxUses, valid.Bounds, replaces);
        await audit.RecordAsync(caller, AuditActions.EnrollmentTokenCreate, created.TokenId, AuditOutcomes.Success, valid.OrchestratorId);
        return TypedResults.Created(ManagerRoutes.WithId(ManagerRoutes.EnrollmentToken, created.TokenId), created);
    }

    // A scoped caller sees a token only when every orchestrator_id it enrolls is one of its tenants.
    public static async Task<Ok<EnrollmentTokenListResponse>> ListAsync(EnrollmentTokenStore store, CallerScope caller)
    {
        var tokens = (await store.ListAsync()).Where(t => t.OrchestratorIds.All(caller.Sees)).ToList();
        return TypedResults.Ok(new EnrollmentTokenListResponse(tokens, tokens.Count));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync([Microsoft.AspNetCore.Mvc.FromRoute(Name = "id")] string tokenId,
        EnrollmentTokenStore store, CallerScope caller, AuditLog audit)
    {
        var token = caller.IsAdmin ? null : (await store.ListAsync()).FirstOrDefault(t => t.TokenId == tokenId);
        var visible = caller.IsAdmin || token is not null && token.OrchestratorIds.All(caller.Sees);
        var deleted = visible && await store.DeleteAsync(tokenId);
        await audit.RecordAsync(caller, AuditActions.EnrollmentTokenDelete, tokenId, deleted ? AuditOutcomes.Success : AuditOutcomes.NotFound,
            token is { OrchestratorIds.Count: 1 } && visible ? token.OrchestratorIds[0] : caller.DefaultTenant);
        return deleted ? TypedResults.NoContent() : ApiProblems.Problem(ProblemTypes.UnknownEnrollmentToken,
            $"No enrollment token with token_id '{tokenId}'.", new Dictionary<string, object?> { ["token_id"] = tokenId });
    }

    public static async Task<Results<Created<EnrollResponse>, ValidationProblem, ProblemHttpResult>> EnrollAsync(
        EnrollRequest request, HttpContext http, NodeEnrollment enrollment, LoginRateLimiter limiter,
        IOptions<ManagerOptions> options, ManagerMetrics metrics, AuditLog audit, EventLog events, NodeJournalStore journals, NodeVersionPolicy versions, ContainerStore containers)
    {
        var result = await EnrollNodeAsync(request, http, enrollment, limiter, options, metrics, events, journals, versions, containers);
        var (outcome, target, tenant) = result.Result switch
        {
            Created<EnrollResponse> created => (AuditOutcomes.Success, created.Value!.ContainerId, created.Value.OrchestratorId),
            ProblemHttpResult { StatusCode: 401 or 429 } => (AuditOutcomes.Denied, "", ""),
            _ => (AuditOutcomes.Refused, "", ""),
        };
        // The actor is the name the node asked for; never the enrollment token.
        var actor = $"cluster:{request.ContainerName?.Trim()}";
        await audit.RecordAsync(actor, Roles.Cluster, tenant, AuditActions.EnrollmentTokenUse, target, outcome);
        return result;
    }

    private static async Task<Results<Created<EnrollResponse>, ValidationProblem, ProblemHttpResult>> EnrollNodeAsync(
        EnrollRequest request, HttpContext http, NodeEnrollment enrollment, LoginRateLimiter limiter,
        IOptions<ManagerOptions> options, ManagerMetrics metrics, EventLog events, NodeJournalStore journals, NodeVersionPolicy versions, ContainerStore containers)
    {
        var errors = request.Registration.Validate();
        if (request.JournalKey is not null && JournalChain.TryImportPublicKey(request.JournalKey) is null)
            errors["journal_key"] = ["journal_key must be the base64 of a raw 32-byte Ed25519 public key."];
        if (string.IsNullOrWhiteSpace(request.EnrollmentToken)) errors["enrollment_token"] = ["enrollment_token is required."];
        else if (request.EnrollmentToken.Length > 512) errors["enrollment_token"] = ["enrollment_token is malformed."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        // Before the token is tried, so a refused node does not use up a single-use token (issue 27).
        if (ContainersApi.ProtocolRefusal(request.ProtocolVersion, versions) is { } tooOld) return tooOld;
        var settings = options.Value;
        if (!settings.EnableDistributed)
            return ApiProblems.Problem(ProblemTypes.DistributedModeOff,
                "ENABLE_DISTRIBUTED is false: this manager accepts no orchestrator registrations.");

        // Guessing tokens counts as failed logins: per client (IPv4 address, IPv6 /64) under one pseudo-username,
        // and toward the global ceiling; a client over its limit gets 429 for each refused token. A valid token is
        // judged by nothing else (its secret cannot be guessed), so others' failures never lock it out: there is no
        // check before the token is tried.
        var client = ClientPartition.Of(http.Connection.RemoteIpAddress);
        var outcome = await enrollment.EnrollAsync(request.EnrollmentToken!.Trim(), request.Registration);
        switch (outcome)
        {
            case NodeEnrollment.Outcome.Enrolled enrolled:
                await containers.SetVersionsAsync(enrolled.ContainerId, request.NodeVersion, request.ProtocolVersion);
                metrics.Registered(enrolled.Created);
                events.ContainerRegistered(enrolled.ContainerId, enrolled.OrchestratorId, enrolled.Created);
                // The node's journal key is pinned now, by the holder of the enrollment token: a journal starts anew.
                if (request.JournalKey is { } journalKey) await journals.ResetAsync(enrolled.ContainerId, journalKey.Trim());
                var name = request.ContainerName!.Trim();
                return TypedResults.Created(ManagerRoutes.WithId(ManagerRoutes.Container, enrolled.ContainerId), new EnrollResponse(
                    enrolled.ContainerId, name, enrolled.OrchestratorId, enrolled.Credential, ContainerStatus.Healthy, settings.HeartbeatSeconds()));
            case NodeEnrollment.Outcome.TokenRefused refused:
                if (await limiter.RecordFailureAsync(client, EnrollmentLimiterName) is { } wait) return ApiProblems.TooManyFailures(http.Response, wait, "attempts");
                return ApiProblems.Field(ProblemTypes.EnrollmentTokenRefused, "enrollment_token", refused.Reason);
            case NodeEnrollment.Outcome.OverQuota over:
                return ApiProblems.Problem(ProblemTypes.QuotaExceeded,
                    $"Tenant '{over.Tenant}' may have {over.Quota} containers (max_containers quota) and has {over.Used}. Nothing was enrolled.",
                    new Dictionary<string, object?> { ["field"] = "max_containers", ["tenant"] = over.Tenant });
            case NodeEnrollment.Outcome.QuotaBusy busy:
                return ApiProblems.QuotaBusy(http.Response, busy.Tenant, "max_containers", "enrollments");
            case NodeEnrollment.Outcome.BeyondBounds beyond:
                return ApiProblems.Field(ProblemTypes.BeyondBounds, beyond.Refusal.Field, beyond.Refusal.Detail);
            case NodeEnrollment.Outcome.NameHeld held:
                return ApiProblems.Field(ProblemTypes.NameHeldByLiveNode, "container_name",
                    $"container_name '{held.Name}' is a {held.Status} node of this tenant: it enrolls again only once revoked or lost, " +
                    "or with an enrollment token created with replaces: its container_id.");
            default:
                var taken = (NodeEnrollment.Outcome.NameTaken)outcome;
                return ApiProblems.Field(ProblemTypes.NameEnrolledElsewhere, "container_name",
                    $"container_name '{taken.Name}' is already enrolled under another orchestrator_id; choose another name.");
        }
    }

    private const string EnrollmentLimiterName = "enrollment";

    // A scoped operator revokes only its tenants' nodes; another tenant's container is answered as unknown.
    public static async Task<Results<Ok<RevokeResponse>, ProblemHttpResult>> RevokeAsync(string id, ContainerStore store, CallerScope caller, AuditLog audit, EventLog events)
    {
        var container = await store.GetAsync(id);
        var revoked = container is not null && caller.Sees(container.OrchestratorId()) && await store.RevokeAsync(id);
        if (revoked) events.ContainerRevoked(id);
        await audit.RecordAsync(caller, AuditActions.Revoke, id, revoked ? AuditOutcomes.Success : AuditOutcomes.NotFound,
            revoked ? container!.OrchestratorId() : caller.DefaultTenant);
        return revoked ? TypedResults.Ok(new RevokeResponse(id, ContainerStatus.Revoked)) : ApiProblems.ContainerNotFound(id);
    }
}
