using System.Security.Claims;
using Orchestrator.Manager.Auth;

namespace Orchestrator.Manager.Agents;

// An Idempotency-Key belongs to the caller who sent it: the same key from another caller (another token
// subject) is another key, so nobody can fetch someone else's deploy answer by guessing or replaying a key.
// A scoped operator is also its operator version (new at every create) and its tenants: an operator deleted and
// created again under the same name, with other tenants, is another caller and never sees the first one's answers.
public static class IdempotencyScope
{
    public static string For(ClaimsPrincipal user, string idempotencyKey)
    {
        var subject = user.FindFirstValue(ManagerClaims.Subject) ?? "";
        // Unscoped callers (admin) keep the subject alone, so their keys stored before this change still replay.
        if (user.FindFirstValue(ManagerClaims.OperatorVersion) is not { Length: > 0 } version) return Fingerprint.Short(subject) + ":" + idempotencyKey;
        var tenants = string.Join(",", user.FindAll(ManagerClaims.Tenants).Select(c => c.Value).Order(StringComparer.Ordinal));
        return Fingerprint.Short($"{subject}|{version}|{tenants}") + ":" + idempotencyKey;
    }
}
