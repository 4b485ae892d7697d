using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Auth").AllowAnonymous()
            .MapPost(ManagerRoutes.Token, IssueTokenAsync)
            .WithSummary("Log in as admin, as a scoped operator (its name and api_key), or as cluster (an orchestrator, its node credential, or the shared password when allowed)");
        return app;
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, HttpContext http, LoginRateLimiter limiter, TokenIssuer issuer, ContainerStore containers,
        OperatorStore operators, AuditLog audit, IOptions<ManagerOptions> options)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var client = ClientPartition.Of(http.Connection.RemoteIpAddress);
        var settings = options.Value;
        // A node credential first: a valid one is judged by nothing else, so failures of others behind the same
        // address (a revoked node retrying, a flood of guesses) never lock it out. Its secret has 256 random bits:
        // a lockout guards nothing there. An invalid one counts against its client below, like any failure.
        var (node, revoked) = request.Username == TokenRequest.Cluster ? await NodeAsync(request.Password!, containers) : (null, false);
        if (node is null && await limiter.RetryAfterAsync(client, request.Username!) is { } retryAfter)
            return ApiProblems.TooManyFailures(http.Response, retryAfter, "logins");

        TokenResponse? issued = null;
        var tenant = "";
        // The actor is who the credential proves (a node: cluster:<its own container_name>), else the username
        // tried (a node: the container_name it named); never the password.
        var actor = request.Username == TokenRequest.Cluster ? $"cluster:{request.ContainerName!.Trim()}" : request.Username!;
        if (node is not null)
            (issued, tenant, actor) = (issuer.IssueNode(node), node.OrchestratorId, $"cluster:{node.ContainerName}");
        else if (request.Username == TokenRequest.Admin && PasswordMatches(request.Password!, settings.AdminPassword))
            issued = issuer.Issue(Roles.Admin, null);
        // The seed's flow, only while ALLOW_SHARED_PASSWORD_NODES is on.
        else if (request.Username == TokenRequest.Cluster && settings.AllowSharedPasswordNodes && PasswordMatches(request.Password!, settings.AdminPassword))
            issued = issuer.Issue(Roles.Cluster, request.ContainerName!.Trim());
        // A scoped operator: its name and the api_key it was given once.
        else if (OperatorValidation.IsName(request.Username) && await operators.VerifyAsync(request.Username!, request.Password!) is { } scoped)
            (issued, tenant) = (issuer.IssueOperator(scoped), scoped.Tenants.Count == 1 ? scoped.Tenants[0] : "");

        await audit.RecordAsync(actor, issued?.Role ?? "", tenant, AuditActions.Login, actor, issued is null ? AuditOutcomes.Denied : AuditOutcomes.Success);
        if (issued is null)
        {
            if (await limiter.RecordFailureAsync(client, request.Username!) is { } wait) return ApiProblems.TooManyFailures(http.Response, wait, "logins");
            return revoked ? ApiProblems.CredentialRevoked() : ApiProblems.Problem(ProblemTypes.InvalidCredentials, "The username or password is wrong.");
        }
        // A node's success does not wipe the failures its neighbours behind the same address made as "cluster".
        if (node is null) await limiter.ResetAsync(client, request.Username!);
        return TypedResults.Ok(issued);
    }

    // A node credential "<container_id>.<secret>": valid while its container holds the credential's hash
    // (deleted containers and revoked credentials have none). The token takes the container's identity, not
    // the container_name the request names. Revoked: the container still exists but an admin revoked its
    // credential, so the node must not enroll again by itself (unlike a credential for a container that is
    // gone, e.g. a wiped development Redis). One read of the container's hash serves both.
    private static async Task<(NodeIdentity? Node, bool Revoked)> NodeAsync(string credential, ContainerStore containers)
    {
        if (EnrollmentSecrets.CredentialContainerId(credential) is not { } id || id.Length > RequestValidation.MaxNameLength) return (null, false);
        var (name, hash, version, orchestratorId) = await containers.CredentialAsync(id);
        if (name is null || version is null) return (null, false);
        if (hash is null) return (null, true);
        return EnrollmentSecrets.Matches(credential, hash) ? (new NodeIdentity(id, name, orchestratorId ?? "", version), false) : (null, false);
    }

    // Constant time, whatever the lengths, so timing does not leak the password.
    private static bool PasswordMatches(string given, string expected) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
