using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// The orchestrator's side of delivery: it holds a long-poll open for its desired state, and reports
// what runs. Both travel over the orchestrator's own outbound connection (docs/protocol.md).
public static class AssignmentsApi
{
    // A stopping manager tells each node to come back after 1..this many seconds (uniformly spread), so a
    // fleet's long-polls reach the restarted (or another) manager spread out rather than in one second.
    public const int StoppingRetryAfterSpread = 5;

    public static IEndpointRouteBuilder MapAssignmentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).WithTags("Assignments")
            .RequireAuthorization(Policies.ClusterMember).RequireContainerIds();
        group.MapGet(ManagerRoutes.Assignments, GetAssignmentsAsync).WithSummary("Long-poll this container's desired agents")
            .RequireRateLimiting(RateLimitPolicies.LongPolls).WithMetadata(new RateLimitPolicies.NoGlobalLimit());
        group.MapPost(ManagerRoutes.AgentReport, ReportAsync).WithSummary("Report the state of the agents this container runs");
        return app;
    }

    public static async Task<Results<Ok<AssignmentsResponse>, ValidationProblem, ProblemHttpResult>> GetAssignmentsAsync(
        string id, long? since, int? wait, ClaimsPrincipal user, [AsParameters] AssignmentServices services, CancellationToken cancellationToken)
    {
        var maxWait = (int)services.Options.Value.MaxLongPoll.TotalSeconds;
        if (wait is < 0 || wait > maxWait)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["wait"] = [$"wait must be between 0 and {maxWait} seconds."] });
        if (since is < -1)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["since"] = ["since must not be negative."] });
        if (!user.MayActFor(id)) return ApiProblems.NotYourContainer();
        var after = since ?? -1;
        var deadline = services.Time.GetUtcNow() + TimeSpan.FromSeconds(wait ?? Math.Min(25, maxWait));

        var answer = await services.Notifier.WaitForChangeAsync(id, after, deadline,
            () => services.Agents.GetDesiredAsync(id, user.BoundContainerName(), after, user.CredentialVersion()),
            services.Lifetime.ApplicationStopping, cancellationToken);
        if (answer.Access != AccessOutcome.Allowed) return Refused(answer.Access, id);
        if (answer.Replaced) return PollReplaced();
        var response = ToResponse(id, answer.Desired!);
        response = response with { Assignments = await services.Secrets.AddValuesAsync(id, user.Node()?.OrchestratorId, response.Assignments) };
        return TypedResults.Ok(answer.Stopping ? Stopping(response) : response);
    }

    // 409, not the current state: two pollers of one container answered 200 would replace each other in a busy loop,
    // while an error makes the replaced one back off.
    private static ProblemHttpResult PollReplaced() => ApiProblems.Problem(ProblemTypes.LongPollReplaced,
        "A newer long-poll for this container replaced this one; only one is held per container.");

    public static async Task<Results<Ok<AgentReportResponse>, ValidationProblem, ProblemHttpResult>> ReportAsync(
        string id, AgentReportRequest request, ClaimsPrincipal user, AgentStore agents, EventStore eventStore, EventLog events, AuditLog audit)
    {
        if (request.Validate(id) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!user.MayActFor(id)) return ApiProblems.NotYourContainer();
        var before = await eventStore.AgentsBeforeAsync(id, request.Agents);
        var (access, verdicts) = await agents.ReportAsync(id, user.BoundContainerName(), request.Agents!, user.CredentialVersion());
        if (access != AccessOutcome.Allowed) return Refused(access, id);
        events.AgentsReported(id, request.Agents!, before);
        // A node refusing a spec (signature check, SPEC_SIGNATURES=require) is a security event: audited once, when it
        // first reports the agent rejected.
        var accepted = verdicts.Where(v => v.Verdict == "ok").Select(v => v.AgentId).ToHashSet(StringComparer.Ordinal);
        foreach (var agent in request.Agents!.Where(a => a.State == AgentStates.Rejected && accepted.Contains(a.AgentId!)))
            if (before.TryGetValue(agent.AgentId!, out var was) && was.ReportedState != AgentStates.Rejected)
                await audit.RecordAsync(CallerScope.From(user), AuditActions.AgentRejected, agent.AgentId!, AuditOutcomes.Refused, was.Tenant ?? "");
        return TypedResults.Ok(new AgentReportResponse(
            verdicts.Where(v => v.Verdict == "ok").Select(v => v.AgentId).ToList(),
            verdicts.Where(v => v.Verdict != "ok").Select(v => new RejectedAgent(v.AgentId, v.Verdict)).ToList()));
    }

    // Why AgentStore refused a node's call on a container, as the problem the node acts on.
    private static ProblemHttpResult Refused(AccessOutcome access, string id) => access switch
    {
        AccessOutcome.UnknownContainer => ApiProblems.ContainerNotFound(id),
        AccessOutcome.Revoked => ApiProblems.CredentialRevoked(),
        _ => ApiProblems.NotYourContainer(),
    };

    private static AssignmentsResponse Stopping(AssignmentsResponse response) =>
        response with { RetryAfter = Random.Shared.Next(1, StoppingRetryAfterSpread + 1) };

    private static AssignmentsResponse ToResponse(string id, DesiredState desired) => new(id, desired.Generation,
        desired.AssignmentJson.Select(json => JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.Assignment)!)
            .OrderBy(a => a.AgentId, StringComparer.Ordinal).ToList());
}
