using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;

namespace Orchestrator.Manager.Apis;

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Auth").AllowAnonymous()
            .MapPost(ManagerRoutes.Token, IssueTokenAsync)
            .WithSummary("Log in as admin (operators) or cluster (an orchestrator, bound to its container_name)");
        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, HttpContext http, LoginRateLimiter limiter, TokenIssuer issuer, IOptions<ManagerOptions> options)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var client = ClientPartition.Of(http.Connection.RemoteIpAddress);
        if (await limiter.RetryAfterAsync(client, request.Username!) is { } retryAfter) return TooManyFailures(http, retryAfter);

        var role = request.Username switch { TokenRequest.Admin => Roles.Admin, TokenRequest.Cluster => Roles.Cluster, _ => null };
        if (role is null || !PasswordMatches(request.Password!, options.Value.AdminPassword))
        {
            if (await limiter.RecordFailureAsync(client, request.Username!) is { } wait) return TooManyFailures(http, wait);
            return ApiProblems.Problem(ProblemTypes.InvalidCredentials, "The username or password is wrong.");
        }
        await limiter.ResetAsync(client, request.Username!);
        return TypedResults.Ok(issuer.Issue(role, role == Roles.Cluster ? request.ContainerName!.Trim() : null));
    }

    private static ProblemHttpResult TooManyFailures(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiProblems.Problem(ProblemTypes.TooManyLogins, $"Too many failed logins from this client; retry in {seconds} seconds.");
    }

    // Constant time, whatever the lengths, so timing does not leak the password.
    private static bool PasswordMatches(string given, string expected) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
