using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Enrollment;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Redis;

namespace Orchestrator.Manager.Apis;

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Auth").AllowAnonymous()
            .MapPost(ManagerRoutes.Token, IssueTokenAsync)
            .WithSummary("Log in as admin (operators) or cluster (an orchestrator, its node credential, or the shared password when allowed)");
        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, HttpContext http, LoginRateLimiter limiter, TokenIssuer issuer, ContainerStore containers,
        IOptions<ManagerOptions> options)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var client = ClientPartition.Of(http.Connection.RemoteIpAddress);
        if (await limiter.RetryAfterAsync(client, request.Username!) is { } retryAfter) return ApiProblems.TooManyFailures(http.Response, retryAfter, "logins");

        var settings = options.Value;
        TokenResponse? issued = request.Username switch
        {
            "admin" when PasswordMatches(request.Password!, settings.AdminPassword) => issuer.Issue(Roles.Admin, null),
            // The seed's flow, only while ALLOW_SHARED_PASSWORD_NODES is on.
            "cluster" when settings.AllowSharedPasswordNodes && PasswordMatches(request.Password!, settings.AdminPassword)
                => issuer.Issue(Roles.Cluster, request.ContainerName!.Trim()),
            "cluster" when await NodeAsync(request.Password!, containers) is { } node => issuer.IssueNode(node),
            _ => null,
        };
        if (issued is null && request.Username == TokenRequest.Cluster && await IsRevokedAsync(request.Password!, containers))
        {
            if (await limiter.RecordFailureAsync(client, request.Username!) is { } wait) return ApiProblems.TooManyFailures(http.Response, wait, "logins");
            return ApiProblems.CredentialRevoked();
        }
        if (issued is null)
        {
            if (await limiter.RecordFailureAsync(client, request.Username!) is { } wait) return ApiProblems.TooManyFailures(http.Response, wait, "logins");
            return ApiProblems.Problem(ProblemTypes.InvalidCredentials, "The username or password is wrong.");
        }
        await limiter.ResetAsync(client, request.Username!);
        return TypedResults.Ok(issued);
    }

    // A node credential "<container_id>.<secret>": valid while its container holds the credential's hash
    // (deleted containers and revoked credentials have none). The token takes the container's identity, not
    // the container_name the request names.
    // A credential for a container that still exists but whose credential an admin revoked: the node must not
    // enroll again by itself (unlike a credential for a container that is gone, e.g. a wiped development Redis).
    private static async Task<bool> IsRevokedAsync(string credential, ContainerStore containers) =>
        EnrollmentSecrets.CredentialContainerId(credential) is { Length: <= RequestValidation.MaxNameLength } id
        && await containers.CredentialAsync(id) is { Name: not null, Hash: null, Version: not null };

    private static async Task<NodeIdentity?> NodeAsync(string credential, ContainerStore containers)
    {
        if (EnrollmentSecrets.CredentialContainerId(credential) is not { } id || id.Length > RequestValidation.MaxNameLength) return null;
        var (name, hash, version, orchestratorId) = await containers.CredentialAsync(id);
        if (!EnrollmentSecrets.Matches(credential, hash) || name is null || version is null) return null;
        return new NodeIdentity(id, name, orchestratorId ?? "", version);
    }

    // Constant time, whatever the lengths, so timing does not leak the password.
    private static bool PasswordMatches(string given, string expected) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
