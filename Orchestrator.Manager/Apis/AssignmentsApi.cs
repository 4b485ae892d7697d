using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;

namespace Orchestrator.Manager.Apis;

// The orchestrator's side of delivery: it holds a long-poll open for its desired state, and reports
// what runs. Both travel over the orchestrator's own outbound connection (docs/protocol.md).
public static class AssignmentsApi
{
    // While the change subscription is not up (wake-ups may be lost), a held poll re-reads at least this often.
    // While it is up, the poll waits for its wake-up or its deadline (see AssignmentNotifier).
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(5);

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
        string id, long? since, int? wait, ClaimsPrincipal user, AgentStore agents, AssignmentNotifier notifier,
        IOptions<SchedulingOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var maxWait = (int)options.Value.MaxLongPoll.TotalSeconds;
        if (wait is < 0 || wait > maxWait)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["wait"] = [$"wait must be between 0 and {maxWait} seconds."] });
        if (since is < -1)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["since"] = ["since must not be negative."] });
        if (!user.MayActFor(id)) return ApiProblems.NotYourContainer();
        var after = since ?? -1;
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(wait ?? Math.Min(25, maxWait));

        // Access first: a poll for a container that does not exist, or is not the caller's, is answered
        // without ever being held, so unknown ids cost no memory.
        var (access, desired) = await agents.GetDesiredAsync(id, user.BoundContainerName(), after, user.CredentialVersion());
        if (access != AccessOutcome.Allowed) return Refused(access, id);
        if (lifetime.ApplicationStopping.IsCancellationRequested) return TypedResults.Ok(Stopping(ToResponse(id, desired!)));
        if (desired!.Generation > after || deadline <= time.GetUtcNow()) return TypedResults.Ok(ToResponse(id, desired));

        using var held = notifier.Hold(id);
        while (true)
        {
            var change = held.NextChange();
            // Stopping: answer with the state already read, without another Redis call, since the manager's
            // Redis connection may be closing under it (a read here answered 500 during shutdown).
            if (lifetime.ApplicationStopping.IsCancellationRequested) return TypedResults.Ok(Stopping(ToResponse(id, desired!)));
            (access, desired) = await agents.GetDesiredAsync(id, user.BoundContainerName(), after, user.CredentialVersion());
            if (access != AccessOutcome.Allowed) return Refused(access, id);
            if (held.Replaced) return PollReplaced();
            var remaining = deadline - time.GetUtcNow();
            // A stopping manager answers at once, so held polls never hold up its shutdown: the
            // orchestrator simply polls again, on whichever replica answers next.
            if (lifetime.ApplicationStopping.IsCancellationRequested) return TypedResults.Ok(Stopping(ToResponse(id, desired!)));
            if (desired!.Generation > after || remaining <= TimeSpan.Zero) return TypedResults.Ok(ToResponse(id, desired));
            // The deadline, the periodic re-check and a stopping manager all end the wait without an exception (at
            // 10,000 held polls, one expires every 2.5 ms): the loop reads again and answers, or, stopping, answers
            // with the current state. Only the caller going away ends the request.
            using (var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping))
            {
                var recheck = notifier.Subscribed || remaining < RecheckEvery ? remaining : RecheckEvery;
                await change.WaitAsync(recheck, time, stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            cancellationToken.ThrowIfCancellationRequested();
            // Not woken while subscribed: nothing changed, so at the deadline the state read last is still the
            // current one, and the poll is answered without another read (at 10,000 held polls, 400 reads a second).
            if (!change.IsCompleted && notifier.Subscribed && !lifetime.ApplicationStopping.IsCancellationRequested
                && time.GetUtcNow() >= deadline) return TypedResults.Ok(ToResponse(id, desired));
        }
    }

    // 409, not the current state: two pollers of one container answered 200 would replace each other in a busy loop,
    // while an error makes the replaced one back off.
    private static ProblemHttpResult PollReplaced() => ApiProblems.Problem(ProblemTypes.LongPollReplaced,
        "A newer long-poll for this container replaced this one; only one is held per container.");

    public static async Task<Results<Ok<AgentReportResponse>, ValidationProblem, ProblemHttpResult>> ReportAsync(
        string id, AgentReportRequest request, ClaimsPrincipal user, AgentStore agents, EventStore eventStore, EventLog events)
    {
        if (request.Validate(id) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!user.MayActFor(id)) return ApiProblems.NotYourContainer();
        var before = await eventStore.AgentsBeforeAsync(id, request.Agents);
        var (access, verdicts) = await agents.ReportAsync(id, user.BoundContainerName(), request.Agents!, user.CredentialVersion());
        if (access != AccessOutcome.Allowed) return Refused(access, id);
        events.AgentsReported(id, request.Agents!, before);
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
