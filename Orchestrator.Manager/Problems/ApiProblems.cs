using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Manager.Problems;

public static class ApiProblems
{
    public static ProblemHttpResult ContainerNotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Unknown container",
        detail: $"No container with container_id '{id}' is registered.",
        extensions: new Dictionary<string, object?> { ["container_id"] = id });

    public static ProblemHttpResult NotYourContainer() => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Not your container",
        detail: "A cluster token may only act for the container_name it was issued for.");

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
