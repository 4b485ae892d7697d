using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.FluentUI.AspNetCore.Components;
using Orchestrator.Console.Session;

namespace Orchestrator.Console.Extensions;

public static class ConsoleServiceExtensions
{
    // The manager's address: Aspire's service discovery name (WithReference(manager)), or Console:ManagerUrl.
    public const string DefaultManagerUrl = "https+http://manager";

    public static WebApplicationBuilder AddConsoleServices(this WebApplicationBuilder builder)
    {
        // The AppHost (scripts/run-local.sh) starts the console from its build output with no environment, so in
        // Production, where ASP.NET Core reads the static web assets manifest only in Development: the packages'
        // assets (Fluent UI's styles and scripts, _framework/blazor.web.js) then answered 500 and the console was
        // bare HTML. Read it in every environment; publish output has no such manifest (its assets sit in wwwroot),
        // so this changes nothing there.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();

        var managerUrl = builder.Configuration["Console:ManagerUrl"] ?? DefaultManagerUrl;
        builder.Services.AddHttpClient(ManagerSession.HttpClientName, http =>
        {
            http.BaseAddress = new Uri(managerUrl.TrimEnd('/') + "/");
            // The event stream outlives any ordinary timeout; ordinary calls pass their own cancellation.
            http.Timeout = Timeout.InfiniteTimeSpan;
        });

        // The manager's token never reaches the browser: the cookie carries only a key into ServerTickets,
        // where the signed-in principal (with the token) stays.
        builder.Services.AddSingleton<ServerTickets>();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<ServerTickets>((cookie, tickets) =>
            {
                cookie.LoginPath = "/login";
                cookie.LogoutPath = "/logout";
                cookie.Cookie.Name = "orchestrator-console";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.SessionStore = tickets;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<ManagerSession>();
        return builder;
    }

    public static WebApplication UseConsolePipeline(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        return app;
    }
}
