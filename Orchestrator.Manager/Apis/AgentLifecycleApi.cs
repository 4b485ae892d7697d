using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// Stop an agent and keep it (its data, its place, its id), or start it again (issues 25, 27): its assignment's
// desired_state, which its node reconciles. A stop waits for the agent's update lock unless force; a forced stop is
// audited as its own action. Answers the agent as last reported (its node reports the stop moments later).
public static class AgentLifecycleApi
{
    public static IEndpointRouteBuilder MapAgentLifecycleApi(this IEndpointRouteBuilder app)
    {
        var writers = app.MapGroup(string.Empty).WithTags("Agents").RequireAuthorization(Policies.Writer).RequireAgentIds();
        writers.MapPost(ManagerRoutes.AgentStop, StopAsync).WithSummary("Stop an agent and keep its data (force: do not wait for its update lock)");
        writers.MapPost(ManagerRoutes.AgentStart, StartAsync).WithSummary("Start a stopped agent again");
        return app;
    }

    public static Task<Results<Ok<AgentView>, ProblemHttpResult>> StopAsync(string id,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] AgentLifecycleRequest? request,
        [AsParameters] AgentServices services, CallerScope caller) =>
        SetAsync(id, AgentStates.Stopped, request?.Force == true, request?.Force == true ? AuditActions.AgentStopForced : AuditActions.AgentStop, services, caller);

    public static Task<Results<Ok<AgentView>, ProblemHttpResult>> StartAsync(string id,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] AgentLifecycleRequest? request,
        [AsParameters] AgentServices services, CallerScope caller) =>
        SetAsync(id, null, false, AuditActions.AgentStart, services, caller);

    private static async Task<Results<Ok<AgentView>, ProblemHttpResult>> SetAsync(string id, string? desiredState, bool force, string action,
        AgentServices services, CallerScope caller)
    {
        var agent = await services.Agents.GetAsync(id);
        var visible = agent is not null && caller.Sees(agent.OrchestratorId);
        // A move between reading its container and writing its entry: read again (it is then on the new one).
        var set = false;
        for (var attempt = 0; visible && !set && attempt < 3; attempt++)
        {
            set = await services.Agents.SetDesiredStateAsync(agent!.ContainerId, id, desiredState, force);
            if (!set) agent = await services.Agents.GetAsync(id);
            visible = agent is not null;
        }
        await services.Audit.RecordAsync(caller, action, id, set ? AuditOutcomes.Success : AuditOutcomes.NotFound,
            agent is not null && caller.Sees(agent.OrchestratorId) ? agent.OrchestratorId : caller.DefaultTenant);
        if (!set) return ApiProblems.Problem(ProblemTypes.UnknownAgent, $"No agent with agent_id '{id}'.", new Dictionary<string, object?> { ["agent_id"] = id });
        services.Events.AgentDesiredStateChanged(id, agent!.ContainerId, agent.OrchestratorId, desiredState ?? AgentStates.Running, force);
        var container = await services.Containers.GetAsync(agent.ContainerId);
        return TypedResults.Ok(agent.ToView(container?.Status));
    }
}
