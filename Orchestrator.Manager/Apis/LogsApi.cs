using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Logs;
using Orchestrator.Manager.Problems;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Manager.Apis;

// Agent logs (issue 26): nodes post their agents' lines; readers tail or follow them.
public static class LogsApi
{
    public const int DefaultTail = 100;
    private const int FollowBatch = 200;

    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Logs").RequireAuthorization(Policies.ClusterMember).RequireContainerIds()
            .MapPost(ManagerRoutes.ContainerLogs, AppendAsync).WithSummary("Ship one agent's next log lines (its node only)")
            .RequireRateLimiting(RateLimitPolicies.LogBatches);
        app.MapGroup(string.Empty).WithTags("Logs").RequireAuthorization(Policies.Reader).RequireAgentIds()
            .MapGet(ManagerRoutes.AgentLogs, ReadAsync)
            .WithSummary("An agent's retained log lines (?tail=, ?since=), or follow=true as server-sent events");
        return app;
    }

    public static async Task<Results<Ok<LogBatchResponse>, ValidationProblem, ProblemHttpResult>> AppendAsync(
        string id, LogBatchRequest request, ClaimsPrincipal user, LogStore store, AgentLogExport export)
    {
        if (Validate(request) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!user.MayActFor(id)) return ApiProblems.NotYourContainer();
        var lines = request.Lines!;
        var result = await store.AppendAsync(request.AgentId!, id, lines);
        switch (result.Status)
        {
            case LogAppendStatus.UnknownAgent: return AgentNotFound(request.AgentId!);
            // The agent runs elsewhere (moved, or never here): only its node may speak for it.
            case LogAppendStatus.NotOnThisContainer:
                return ApiProblems.Problem(ProblemTypes.UnknownAgent, $"No agent with agent_id '{request.AgentId}' on container '{id}'.",
                    new Dictionary<string, object?> { ["agent_id"] = request.AgentId });
        }
        // The accepted lines are the newest ones (the script skips only those at or below the high-water mark).
        if (result.Accepted > 0) export.Export(request.AgentId!, result.Tenant, lines.TakeLast(result.Accepted), result.Traceparent);
        return TypedResults.Ok(new LogBatchResponse(request.AgentId!, result.AckedSequence, result.Accepted));
    }

    public static async Task<Results<Ok<AgentLogsResponse>, EmptyHttpResult, ValidationProblem, ProblemHttpResult>> ReadAsync(
        string id, int? tail, DateTimeOffset? since, bool? follow, HttpContext http, CallerScope caller, AgentStore agents, LogStore store,
        IOptions<LogsOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var max = (int)Math.Min(int.MaxValue, options.Value.MaxLines);
        if (tail is < 0 || tail > max)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tail"] = [$"tail must be between 0 and {max} (the lines retained per agent)."] });
        // Another tenant's agent is answered as unknown, as on every agent route.
        if (await agents.GetAsync(id) is not { } agent || !caller.Sees(agent.OrchestratorId)) return AgentNotFound(id);
        var lines = await store.TailAsync(id, tail ?? DefaultTail, since);
        if (follow != true) return TypedResults.Ok(new AgentLogsResponse(id, lines, lines.Count));

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var token = stopping.Token;
        try
        {
            EventStreamWriter.Prepare(http.Response);
            await http.Response.WriteAsync(": connected\n\n", Encoding.UTF8, token);
            // tail=0: only lines stored from now on.
            var after = lines.Count > 0 ? lines[^1].Sequence : (await store.TailAsync(id, 1, null)).LastOrDefault()?.Sequence ?? 0;
            foreach (var line in lines) await WriteAsync(http.Response, line, token);
            await http.Response.Body.FlushAsync(token);
            while (!token.IsCancellationRequested)
            {
                var from = after;
                var batch = await BackgroundPass.Untraced(() => store.AfterAsync(id, from, FollowBatch));
                foreach (var line in batch)
                {
                    await WriteAsync(http.Response, line, token);
                    after = line.Sequence;
                }
                if (batch.Count > 0) await http.Response.Body.FlushAsync(token);
                if (batch.Count < FollowBatch) await Task.Delay(options.Value.FollowPollInterval, time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away, or this replica is stopping: the client reconnects with since= its last line's time.
        }
        return TypedResults.Empty;
    }

    private static Task WriteAsync(HttpResponse response, LogLine line, CancellationToken cancellationToken) =>
        response.WriteAsync(ServerSentEvents.Format(line.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), "log",
            JsonSerializer.Serialize(line, ProtocolJsonContext.Default.LogLine)), Encoding.UTF8, cancellationToken);

    private static Dictionary<string, string[]> Validate(LogBatchRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.AgentId)) errors["agent_id"] = ["agent_id is required."];
        if (request.Lines is not { Count: > 0 and <= LogStreams.MaxBatchLines })
        {
            errors["lines"] = [$"lines must hold 1 to {LogStreams.MaxBatchLines} lines."];
            return errors;
        }
        long previous = 0;
        for (var i = 0; i < request.Lines.Count; i++)
        {
            var line = request.Lines[i];
            if (line is null) { errors[$"lines[{i}]"] = ["A line is required."]; continue; }
            if (line.Sequence <= previous) errors[$"lines[{i}].sequence"] = ["sequence must be positive and grow within a batch."];
            previous = line.Sequence;
            if (line.Stream is not (LogStreams.Stdout or LogStreams.Stderr or LogStreams.Gap))
                errors[$"lines[{i}].stream"] = ["stream must be stdout, stderr or gap."];
            if (line.Text is null || Encoding.UTF8.GetByteCount(line.Text) > LogStreams.MaxLineBytes)
                errors[$"lines[{i}].text"] = [$"text is required and at most {LogStreams.MaxLineBytes} bytes of UTF-8."];
            if (line.Dropped < 0) errors[$"lines[{i}].dropped"] = ["dropped cannot be negative."];
            if (errors.Count >= 10) break;
        }
        return errors;
    }

    private static ProblemHttpResult AgentNotFound(string id) =>
        ApiProblems.Problem(ProblemTypes.UnknownAgent, $"No agent with agent_id '{id}'.", new Dictionary<string, object?> { ["agent_id"] = id });
}
