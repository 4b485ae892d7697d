using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Console.Session;

// The signed-in operator's ManagerClient, for one circuit or request. Its token comes from the server-side
// ticket; when the manager refuses it (expired), the operator logs in again rather than the console
// holding any password.
public sealed class ManagerSession(IHttpClientFactory http, AuthenticationStateProvider authentication)
{
    public const string HttpClientName = "manager";
    public const string TokenClaim = "manager_token";
    public const string RoleClaim = "manager_role";

    private ManagerClient? _client;

    public async Task<ManagerClient> ClientAsync()
    {
        if (_client is not null) return _client;
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var token = user.FindFirstValue(TokenClaim) ?? throw new InvalidOperationException("not signed in");
        _client = new ManagerClient(() => http.CreateClient(HttpClientName),
            ManagerCredentials.From(_ => throw new SessionExpiredException()));
        _client.UseToken(token);
        return _client;
    }

    public async Task<(string Name, string Role)> WhoAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return (user.Identity?.Name ?? "", user.FindFirstValue(RoleClaim) ?? "");
    }

    // A client for logging in: the password is used for this one call and never kept.
    public static ManagerClient LoginClient(IHttpClientFactory http, string username, string password) =>
        new(() => http.CreateClient(HttpClientName), ManagerCredentials.From(() => new Orchestrator.Protocol.TokenRequest(username, password)));
}

public sealed class SessionExpiredException() : Exception("The manager no longer accepts this session's token; log in again.");
