using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Problems;

namespace Orchestrator.Manager.Limits;

// Route ids become parts of Redis key names. Only the exact form the manager generates
// ("ctr-" or "agt-" + 16 lowercase hex digits) is let through; anything else is a 404 before Redis is
// touched, so an id like "ctr-…:desired" can never address another key.
public static partial class RouteIds
{
    private const int MaxEchoedLength = 64;

    public static bool IsContainerId(string? id) => id is not null && ContainerId().IsMatch(id);

    public static bool IsAgentId(string? id) => id is not null && AgentId().IsMatch(id);

    // For a group whose routes may carry {id}: a container id that is not of the generated form is unknown.
    public static TBuilder RequireContainerIds<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("id") is string id && !IsContainerId(id)
                ? ApiProblems.ContainerNotFound(Echo(id))
                : await next(context));

    public static TBuilder RequireAgentIds<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetRouteValue("id") is string id && !IsAgentId(id)
                ? AgentNotFound(Echo(id))
                : await next(context));

    public static ProblemHttpResult AgentNotFound(string id) =>
        ApiProblems.Problem(ProblemTypes.UnknownAgent, $"No agent with agent_id '{id}'.", new Dictionary<string, object?> { ["agent_id"] = id });

    // A caller's 2,000-character id is not repeated back in full.
    private static string Echo(string id) => id.Length <= MaxEchoedLength ? id : id[..MaxEchoedLength] + "…";

    [GeneratedRegex("^ctr-[0-9a-f]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerId();

    [GeneratedRegex("^agt-[0-9a-f]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex AgentId();
}
