using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Agents;

namespace Orchestrator.Manager.Problems;

public static class ApiProblems
{
    public static ProblemHttpResult ContainerNotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Unknown container",
        detail: $"No container with container_id '{id}' is registered.",
        extensions: new Dictionary<string, object?> { ["container_id"] = id });

    public static ProblemHttpResult NotYourContainer() => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Not your container",
        detail: "A cluster token may only act for the container it was issued for.");

    // The node's credential was revoked or replaced (or its container deleted): 401 whatever token it holds,
    // so it stops acting at once; it must enroll again with a new enrollment token.
    public static ProblemHttpResult CredentialRevoked() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized, title: "Credential revoked",
        detail: "This node's credential was revoked or replaced; enroll again with a new ENROLLMENT_TOKEN.");

    public static ProblemHttpResult Refused(AccessOutcome access, string id) => access switch
    {
        AccessOutcome.UnknownContainer => ContainerNotFound(id),
        AccessOutcome.Revoked => CredentialRevoked(),
        _ => NotYourContainer(),
    };

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    // A 4xx naming the offending field, for refusals that are not plain validation (403 bounds, 409 conflicts).
    public static ProblemHttpResult Field(int status, string title, string field, string detail) => TypedResults.Problem(
        statusCode: status, title: title, detail: detail, extensions: new Dictionary<string, object?> { ["field"] = field });
}
