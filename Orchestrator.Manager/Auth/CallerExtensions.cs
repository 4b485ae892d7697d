using System.Security.Claims;

namespace Orchestrator.Manager.Auth;

public static class CallerExtensions
{
    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    // The container a cluster token is bound to; null for admin tokens (they may act for any container).
    public static string? BoundContainerName(this ClaimsPrincipal user) =>
        user.IsAdmin() ? null : user.FindFirstValue(ManagerClaims.ContainerName) ?? "";
}
