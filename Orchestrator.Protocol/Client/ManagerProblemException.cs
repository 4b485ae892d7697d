using System.Net;

namespace Orchestrator.Protocol.Client;

// The manager answered, with an error status. Problem is its problem+json body when it sent one
// (field errors in Problem.Errors). Transport failures stay HttpRequestException; timeouts stay
// OperationCanceledException, so callers can tell "refused" from "unreachable".
public sealed class ManagerProblemException(HttpMethod method, string path, HttpStatusCode statusCode, ProblemDocument? problem, string body,
    TimeSpan? retryAfter = null)
    : Exception(Describe(method, path, statusCode, problem, body))
{
    // The manager's Retry-After on 429 and 503 (capped at 5 minutes): a client waits at least this long before trying again.
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public HttpMethod Method { get; } = method;

    public string Path { get; } = path;

    public HttpStatusCode StatusCode { get; } = statusCode;

    public ProblemDocument? Problem { get; } = problem;

    public IReadOnlyDictionary<string, string[]> FieldErrors => Problem?.Errors ?? new Dictionary<string, string[]>();

    public bool Is(ProblemType type) => type.Matches(Problem, (int)StatusCode);

    private static string Describe(HttpMethod method, string path, HttpStatusCode status, ProblemDocument? problem, string body)
    {
        var what = problem is null
            ? (body.Length > 300 ? body[..300] + "..." : body)
            : string.Join(": ", new[] { problem.Title, problem.Detail }.Where(s => !string.IsNullOrEmpty(s)))
              + (problem.Errors is { Count: > 0 } errors ? " (" + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + ")" : "");
        var hint = status == HttpStatusCode.Unauthorized && path == ManagerRoutes.Token ? " (check ADMIN_PASSWORD, or the node's credential: a revoked node enrolls again with a new ENROLLMENT_TOKEN)"
            : status == HttpStatusCode.Unauthorized && path == ManagerRoutes.Enroll ? " (ENROLLMENT_TOKEN refused: ask for a new one)" : "";
        return $"{method} {path} answered {(int)status} {status}{hint}{(what.Length > 0 ? ": " + what : "")}";
    }
}
