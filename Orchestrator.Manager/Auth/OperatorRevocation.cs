using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Orchestrator.Manager.Auth;

// A scoped operator's token is valid only while its operator exists with the version the token carries:
// one HGET per request, so DELETE /api/v1/operators/{name} revokes at once (the next request gets 401),
// on every replica, without a token blocklist. Admin and node tokens are not looked up here.
public static class OperatorRevocation
{
    public static async Task CheckAsync(TokenValidatedContext context)
    {
        var principal = context.Principal;
        if (principal?.FindFirst(ManagerClaims.OperatorName)?.Value is not { } name) return;
        var version = principal.FindFirst(ManagerClaims.OperatorVersion)?.Value;
        var store = context.HttpContext.RequestServices.GetRequiredService<OperatorStore>();
        var stored = await store.FindAsync(name);
        if (stored is null || stored.Version != version || stored.Role != principal.FindFirst(ManagerClaims.Role)?.Value)
            context.Fail("This operator was deleted; log in again with a current api_key.");
    }
}
