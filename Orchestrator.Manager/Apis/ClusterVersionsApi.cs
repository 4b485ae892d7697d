using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;

namespace Orchestrator.Manager.Apis;

// Node versions and skew (issue 27): the manager's policy and the caller's visible containers counted by
// (node_version, protocol_version), so a vendor sees which customers run an old node.
public static class ClusterVersionsApi
{
    public static IEndpointRouteBuilder MapClusterVersionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Containers").RequireAuthorization(Policies.Reader)
            .MapGet(ManagerRoutes.Versions, GetAsync).WithSummary("The version policy, and containers counted by node_version and protocol_version");
        return app;
    }

    public static async Task<Ok<ClusterVersionsResponse>> GetAsync(ContainerStore store, NodeVersionPolicy policy, CallerScope caller)
    {
        var visible = (await store.ListAsync()).Where(c => caller.Sees(c.OrchestratorId())).ToList();
        var counts = visible.GroupBy(c => (c.NodeVersion, c.ProtocolVersion))
            .Select(g => new NodeVersionCount(g.Key.NodeVersion, g.Key.ProtocolVersion, g.Count(), policy.IsOutdated(g.Key.NodeVersion)))
            .OrderByDescending(c => c.Count).ThenBy(c => c.NodeVersion, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new ClusterVersionsResponse(policy.Policy, counts, visible.Count, counts.Where(c => c.Outdated).Sum(c => c.Count)));
    }
}
