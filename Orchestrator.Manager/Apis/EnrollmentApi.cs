using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Enrollment;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Telemetry;

namespace Orchestrator.Manager.Apis;

// Node identity: admins issue enrollment tokens; a node exchanges one for its own credential; admins revoke it.
public static class EnrollmentApi
{
    public static IEndpointRouteBuilder MapEnrollmentApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup(string.Empty).WithTags("Enrollment").RequireAuthorization(Policies.Admin);
        tokens.MapPost(ManagerRoutes.EnrollmentTokens, CreateAsync).WithSummary("Create an enrollment token for one orchestrator_id (shown once)");
        tokens.MapGet(ManagerRoutes.EnrollmentTokens, ListAsync).WithSummary("List enrollment tokens, without their secrets");
        tokens.MapDelete(ManagerRoutes.EnrollmentToken, DeleteAsync).WithSummary("Revoke an enrollment token");

        // The enrollment token is the credential here; login rate limits apply to failures.
        app.MapGroup(string.Empty).WithTags("Enrollment").AllowAnonymous()
            .MapPost(ManagerRoutes.Enroll, EnrollAsync).WithSummary("Exchange an enrollment token and a registration for a node credential");

        app.MapGroup(string.Empty).WithTags("Enrollment").RequireAuthorization(Policies.Admin)
            .MapPost(ManagerRoutes.Revoke, RevokeAsync).WithSummary("Revoke a node's credential; its agents are handled as on cluster loss");
        return app;
    }

    public static async Task<Results<Created<EnrollmentTokenCreated>, ValidationProblem>> CreateAsync(
        CreateEnrollmentTokenRequest request, EnrollmentTokenStore store, IOptions<ManagerOptions> options)
    {
        if (request.Validate(options.Value.DefaultMaxAgents, out var errors) is not { } valid) return TypedResults.ValidationProblem(errors);
        var created = await store.CreateAsync(valid.OrchestratorId, valid.Ttl, valid.MaxUses, valid.Bounds);
        return TypedResults.Created(ManagerRoutes.WithId(ManagerRoutes.EnrollmentToken, created.TokenId), created);
    }

    public static async Task<Ok<EnrollmentTokenListResponse>> ListAsync(EnrollmentTokenStore store)
    {
        var tokens = await store.ListAsync();
        return TypedResults.Ok(new EnrollmentTokenListResponse(tokens, tokens.Count));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync([Microsoft.AspNetCore.Mvc.FromRoute(Name = "id")] string tokenId,
        EnrollmentTokenStore store) =>
        await store.DeleteAsync(tokenId) ? TypedResults.NoContent() : ApiProblems.Problem(ProblemTypes.UnknownEnrollmentToken,
            $"No enrollment token with token_id '{tokenId}'.", new Dictionary<string, object?> { ["token_id"] = tokenId });

    public static async Task<Results<Created<EnrollResponse>, ValidationProblem, ProblemHttpResult>> EnrollAsync(
        EnrollRequest request, HttpContext http, NodeEnrollment enrollment, LoginRateLimiter limiter,
        IOptions<ManagerOptions> options, ManagerMetrics metrics, EventLog events)
    {
        var errors = request.Registration.Validate();
        if (string.IsNullOrWhiteSpace(request.EnrollmentToken)) errors["enrollment_token"] = ["enrollment_token is required."];
        else if (request.EnrollmentToken.Length > 512) errors["enrollment_token"] = ["enrollment_token is malformed."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var settings = options.Value;
        if (!settings.EnableDistributed)
            return ApiProblems.Problem(ProblemTypes.DistributedModeOff,
                "ENABLE_DISTRIBUTED is false: this manager accepts no orchestrator registrations.");

        // Guessing tokens counts as failed logins: per client (IPv4 address, IPv6 /64) under one pseudo-username,
        // and toward the global ceiling.
        var client = ClientPartition.Of(http.Connection.RemoteIpAddress);
        if (await limiter.RetryAfterAsync(client, EnrollmentLimiterName) is { } retryAfter) return ApiProblems.TooManyFailures(http.Response, retryAfter, "attempts");

        var outcome = await enrollment.EnrollAsync(request.EnrollmentToken!.Trim(), request.Registration);
        switch (outcome)
        {
            case NodeEnrollment.Outcome.Enrolled enrolled:
                metrics.Registered(enrolled.Created);
                events.ContainerRegistered(enrolled.ContainerId, enrolled.OrchestratorId, enrolled.Created);
                var name = request.ContainerName!.Trim();
                return TypedResults.Created(ManagerRoutes.WithId(ManagerRoutes.Container, enrolled.ContainerId), new EnrollResponse(
                    enrolled.ContainerId, name, enrolled.OrchestratorId, enrolled.Credential, ContainerStatus.Healthy, settings.HeartbeatSeconds()));
            case NodeEnrollment.Outcome.TokenRefused refused:
                if (await limiter.RecordFailureAsync(client, EnrollmentLimiterName) is { } wait) return ApiProblems.TooManyFailures(http.Response, wait, "attempts");
                return ApiProblems.Field(ProblemTypes.EnrollmentTokenRefused, "enrollment_token", refused.Reason);
            case NodeEnrollment.Outcome.BeyondBounds beyond:
                return ApiProblems.Field(ProblemTypes.BeyondBounds, beyond.Refusal.Field, beyond.Refusal.Detail);
            default:
                var taken = (NodeEnrollment.Outcome.NameTaken)outcome;
                return ApiProblems.Field(ProblemTypes.NameEnrolledElsewhere, "container_name",
                    $"container_name '{taken.Name}' is already enrolled under another orchestrator_id; choose another name.");
        }
    }

    private const string EnrollmentLimiterName = "enrollment";

    public static async Task<Results<Ok<RevokeResponse>, ProblemHttpResult>> RevokeAsync(string id, ContainerStore store, EventLog events)
    {
        if (!await store.RevokeAsync(id)) return ApiProblems.ContainerNotFound(id);
        events.ContainerRevoked(id);
        return TypedResults.Ok(new RevokeResponse(id, ContainerStatus.Revoked));
    }
}
