namespace Orchestrator.Manager.Extensions;

public static class ApplicationServiceExtensions
{
    public const int DefaultPort = 8000;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.ListenOnDefaultPort(DefaultPort);
        builder.Configuration.AddRedisUrlFallback();
        builder.AddRedisClient("redis");
        return builder;
    }
}
