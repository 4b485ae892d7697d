using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Agent.Runtime;

namespace Orchestrator.Agent.Apis;

// Read-only view of this node's agents. Open locally; deploying goes through the manager.
public static class AgentsApi
{
    public static RouteGroupBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/agents").WithTags("Agents");
        api.MapGet("/", ListAgents);
        api.MapGet("/{id}", GetAgent);
        return api;
    }

    public static Ok<AgentList> ListAgents(AgentSupervisor supervisor)
    {
        var agents = supervisor.Agents();
        return TypedResults.Ok(new AgentList(agents.Count, supervisor.MaxAgents, agents));
    }

    public static Results<Ok<AgentView>, NotFound> GetAgent(string id, AgentSupervisor supervisor) =>
        supervisor.Find(id) is { } agent ? TypedResults.Ok(agent) : TypedResults.NotFound();
}

public sealed record AgentList(int Count, int MaxAgents, IReadOnlyList<AgentView> Agents);
