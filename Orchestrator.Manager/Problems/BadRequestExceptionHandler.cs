using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using StackExchange.Redis;

namespace Orchestrator.Manager.Problems;

// Turns what minimal APIs and Kestrel throw on bad input (malformed JSON, wrong types, oversize bodies)
// into problem+json naming the field, and an unreachable Redis into 503: never a 500 for those.
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            RedisConnectionException or RedisTimeoutException => new ProblemDetails
            {
                Status = ProblemTypes.RedisUnreachable.Status,
                Title = ProblemTypes.RedisUnreachable.Title,
                Detail = "The manager cannot reach Redis; retry shortly.",
            },
            _ => null,
        };
        if (problem is null) return false;
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge) return BodySizeLimit.TooLarge();
        var json = bad.InnerException as JsonException;
        var field = FieldName(json?.Path);
        var message = json is null
            ? bad.Message.Contains("no body was provided", StringComparison.Ordinal) ? "A JSON body is required." : bad.Message
            : field == "body" ? "The body is not a valid JSON object."
            : json.Message.StartsWith("Duplicate property", StringComparison.Ordinal) ? $"'{field}' appears more than once; every key may appear once."
            : $"'{field}' has the wrong type, or the JSON is malformed there.";
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = bad.StatusCode,
            Title = ProblemTypes.InvalidBody.Title,
            Detail = message,
        };
    }

    // "$.resources.cpu_count" -> "resources.cpu_count"; the body itself -> "body".
    private static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.TrimStart('$', '.');
}
