using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Orchestrator.Console.Session;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Console.Extensions;

// Login and logout are plain form posts (no circuit): the cookie can only be set on an HTTP response.
public static class SessionEndpoints
{
    public static WebApplication MapConsoleSession(this WebApplication app)
    {
        app.MapPost("/session/login", LoginAsync).DisableAntiforgery().AllowAnonymous();
        app.MapPost("/session/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> LoginAsync(HttpContext http, IHttpClientFactory clients, TimeProvider time)
    {
        var form = await http.Request.ReadFormAsync();
        var username = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        if (username.Length == 0 || password.Length == 0) return Results.Redirect("/login?error=" + Uri.EscapeDataString("Enter a username and a password."));
        try
        {
            var token = await ManagerSession.LoginClient(clients, username, password).LoginAsync(http.RequestAborted);
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, username), new Claim(ManagerSession.TokenClaim, token.AccessToken), new Claim(ManagerSession.RoleClaim, token.Role)],
                CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity),
                new AuthenticationProperties { ExpiresUtc = time.GetUtcNow().AddSeconds(token.ExpiresIn), IsPersistent = false });
            return Results.Redirect("/");
        }
        catch (ManagerProblemException ex)
        {
            return Results.Redirect("/login?error=" + Uri.EscapeDataString(ex.Problem?.Title ?? ex.StatusCode.ToString()));
        }
        catch (HttpRequestException)
        {
            return Results.Redirect("/login?error=" + Uri.EscapeDataString("The manager cannot be reached."));
        }
    }
}
