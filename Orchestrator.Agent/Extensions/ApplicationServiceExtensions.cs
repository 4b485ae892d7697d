namespace Orchestrator.Agent.Extensions;

public static class ApplicationServiceExtensions
{
    public const int DefaultPort = 8001;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        var port = int.TryParse(builder.Configuration["AGENT_PORT"], out var p) ? p : DefaultPort;
        builder.ListenOnDefaultPort(port);
        return builder;
    }
}
