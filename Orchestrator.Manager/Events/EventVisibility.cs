using Orchestrator.Manager.Auth;

namespace Orchestrator.Manager.Events;

// Which events a caller may see: the admin every event; scoped operators and viewers only their tenants'
// events, never a fleet-wide one (tenant null), which could tell one customer about the others.
public static class EventVisibility
{
    public static Func<ManagerEvent, bool> For(CallerScope caller) =>
        caller.IsAdmin ? _ => true : e => e.Tenant is not null && caller.Sees(e.Tenant);
}
