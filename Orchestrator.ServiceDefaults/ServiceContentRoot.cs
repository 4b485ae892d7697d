using Microsoft.AspNetCore.Builder;

namespace Microsoft.Extensions.Hosting;

// The content root is the service's own folder (AppContext.BaseDirectory), not the working directory:
// started as `dotnet /opt/manager/Orchestrator.Manager.dll` from / (systemd) it still finds its
// appsettings.json, instead of silently running on defaults (Information logging of every request).
// An explicit --contentRoot or ASPNETCORE_CONTENTROOT still wins (dotnet run, test hosts).
public static class ServiceContentRoot
{
    public static WebApplicationOptions Options(string[] args) => new()
    {
        Args = args,
        ContentRootPath = IsGiven(args) ? null : AppContext.BaseDirectory,
    };

    private static bool IsGiven(string[] args) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"))
        || args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase) || a.StartsWith("contentRoot=", StringComparison.OrdinalIgnoreCase));
}
