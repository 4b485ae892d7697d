using System.Security.Claims;
using Orchestrator.Manager.Auth;

namespace Orchestrator.Manager.Events;

// Which events a caller may see: an admin sees every event; anyone else only their own tenants' events
// (never a fleet-wide one, which could tell one customer about the others).
public static class EventVisibility
{
    public static Func<ManagerEvent, bool> For(ClaimsPrincipal user)
    {
        if (user.IsAdmin()) return _ => true;
        var tenants = Tenants(user);
        return e => e.Tenant is { } tenant && tenants.Contains(tenant);
    }

    // The caller's tenants, as their token names them (orchestrator_id claims).
    private static HashSet<string> Tenants(ClaimsPrincipal user) =>
        user.FindAll(ManagerClaims.OrchestratorId).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
}
