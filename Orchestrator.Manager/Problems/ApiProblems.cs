using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Manager.Problems;

// Every problem the manager answers with is one of Protocol's ProblemTypes: its status and title are the contract.
public static class ApiProblems
{
    public static ProblemHttpResult ContainerNotFound(string id) => Problem(ProblemTypes.UnknownContainer,
        $"No container with container_id '{id}' is registered.", new Dictionary<string, object?> { ["container_id"] = id });

    public static ProblemHttpResult NotYourContainer() => Problem(ProblemTypes.NotYourContainer,
        "A cluster token may only act for the container_name it was issued for.");

    public static ProblemHttpResult Problem(ProblemType type, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: type.Status, title: type.Title, detail: detail, extensions: extensions);
}
