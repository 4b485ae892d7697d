using System.Security.Claims;
using Orchestrator.Manager.Auth;

namespace Orchestrator.Manager.Agents;

// An Idempotency-Key belongs to the caller who sent it: the same key from another caller (another token
// subject) is another key, so nobody can fetch someone else's deploy answer by guessing or replaying a key.
public static class IdempotencyScope
{
    public static string For(ClaimsPrincipal user, string idempotencyKey)
    {
        var subject = user.FindFirstValue(ManagerClaims.Subject) ?? "";
        return Fingerprint.Short(subject) + ":" + idempotencyKey;
    }
}
