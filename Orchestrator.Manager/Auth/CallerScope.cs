using System.Security.Claims;

namespace Orchestrator.Manager.Auth;

// What the caller of an operator route may see and do, read once from its JWT: its role and the tenants
// (orchestrator_ids) it is scoped to. Tenants null: every tenant (the admin). Handlers take it as a
// parameter (BindAsync) and filter with Sees; another tenant's object is answered 404, never 403, so ids
// cannot be probed.
public sealed record CallerScope(string Actor, string Role, IReadOnlySet<string>? Tenants)
{
    public static readonly CallerScope Anonymous = new("anonymous", "anonymous", new HashSet<string>());

    public bool IsAdmin => Role == Roles.Admin;

    // Deploy, stop, revoke, enroll: admins and operators, never viewers.
    public bool MayWrite => Role is Roles.Admin or Roles.Operator;

    public bool Sees(string? orchestratorId) => Tenants is null || (orchestratorId is not null && Tenants.Contains(orchestratorId));

    // The tenant an audit entry of this caller names when the object names none: its only tenant, else "".
    public string DefaultTenant => Tenants is { Count: 1 } one ? one.First() : "";

    public static CallerScope From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return Anonymous;
        if (user.IsInRole(Roles.Admin)) return new(Roles.Admin, Roles.Admin, null);
        if (user.FindFirstValue(ManagerClaims.OperatorName) is { } name
            && user.FindFirstValue(ManagerClaims.Role) is Roles.Operator or Roles.Viewer)
            return new(name, user.FindFirstValue(ManagerClaims.Role)!,
                user.FindAll(ManagerClaims.Tenants).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
        // A node: acts only for its own container (checked elsewhere); sees its own customer at most.
        var orchestrator = user.FindFirstValue(ManagerClaims.OrchestratorId);
        return new($"cluster:{user.FindFirstValue(ManagerClaims.ContainerName)}", Roles.Cluster,
            orchestrator is { Length: > 0 } ? new HashSet<string> { orchestrator } : new HashSet<string>());
    }

    // Minimal API binding: a handler parameter `CallerScope caller` is filled from the request's user.
    public static ValueTask<CallerScope?> BindAsync(HttpContext context) => ValueTask.FromResult<CallerScope?>(From(context.User));
}
