using System.Security.Claims;

namespace Orchestrator.Manager.Auth;

public static class CallerExtensions
{
    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    // The container a cluster token is bound to; null for admin tokens (they may act for any container).
    public static string? BoundContainerName(this ClaimsPrincipal user) =>
        user.IsAdmin() ? null : user.FindFirstValue(ManagerClaims.ContainerName) ?? "";

    // The credential version an enrolled node's token carries; null for admin and shared-password tokens.
    public static string? CredentialVersion(this ClaimsPrincipal user) =>
        user.IsAdmin() ? null : user.FindFirstValue(ManagerClaims.CredentialVersion);

    // An enrolled node's identity; null for admin tokens and the seed's shared-password cluster tokens.
    public static NodeIdentity? Node(this ClaimsPrincipal user) =>
        !user.IsAdmin() && user.FindFirstValue(ManagerClaims.ContainerId) is { } id
            && user.FindFirstValue(ManagerClaims.CredentialVersion) is { } version
            ? new NodeIdentity(id, user.FindFirstValue(ManagerClaims.ContainerName) ?? "",
                user.FindFirstValue(ManagerClaims.OrchestratorId) ?? "", version)
            : null;

    // An enrolled node acts only for the container_id the manager gave it; others are checked by the scripts.
    public static bool MayActFor(this ClaimsPrincipal user, string containerId) =>
        user.Node() is not { } node || node.ContainerId == containerId;
}
