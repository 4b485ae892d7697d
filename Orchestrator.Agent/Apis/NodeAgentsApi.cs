using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Agent.Runtime;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Apis;

// Read-only view of this node's agents. Open locally; deploying goes through the manager.
public static class NodeAgentsApi
{
    public static RouteGroupBuilder MapNodeAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(string.Empty).WithTags("Agents");
        api.MapGet(NodeRoutes.Agents, ListAgents);
        api.MapGet(NodeRoutes.Agent, GetAgent);
        return api;
    }

    public static Ok<NodeAgentList> ListAgents(AgentSupervisor supervisor)
    {
        var agents = supervisor.Agents();
        return TypedResults.Ok(new NodeAgentList(agents.Count, supervisor.MaxAgents, [.. agents.Select(ToWire)]));
    }

    public static Results<Ok<NodeAgent>, NotFound> GetAgent(string id, AgentSupervisor supervisor) =>
        supervisor.Find(id) is { } agent ? TypedResults.Ok(ToWire(agent)) : TypedResults.NotFound();

    private static NodeAgent ToWire(AgentStatus agent) => new(agent.AgentId, agent.AgentType, agent.State, agent.StartedAt,
        agent.Restarts, agent.LastError, agent.Epoch, agent.Figures, agent.ImageDigest);
}
