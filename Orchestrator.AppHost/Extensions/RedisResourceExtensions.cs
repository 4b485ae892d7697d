using Microsoft.Extensions.Configuration;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.AppHost.Extensions;

public static class RedisResourceExtensions
{
    // Publish mode (and run mode with Redis:UseContainer=true on a machine with a container engine)
    // uses Aspire's Redis container. Otherwise a local redis-server process stands in for it.
    public static IResourceBuilder<IResourceWithConnectionString> AddOrchestratorRedis(
        this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.ExecutionContext.IsPublishMode || builder.Configuration.GetValue("Redis:UseContainer", false))
        {
            return builder.AddRedis(name).WithDataVolume("orchestrator-redis-data").WithPersistence(TimeSpan.FromSeconds(10));
        }
        return builder.AddRedisServer(name);
    }

    public static IResourceBuilder<RedisServerResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        var command = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. Install it (Debian: apt-get install -y redis-server) " +
            "or set Redis:UseContainer=true where a container engine runs.");
        var dataDirectory = Path.GetFullPath(builder.Configuration["Redis:DataDirectory"]
            ?? Path.Combine(builder.AppHostDirectory, ".data", name));
        Directory.CreateDirectory(dataDirectory);

        var resource = new RedisServerResource(name, command, dataDirectory);
        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new RedisPingHealthCheck(resource), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                // Append-only, as the seed's compose file runs it: a restart loses nothing.
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
                context.Args.Add("--dir");
                context.Args.Add(dataDirectory);
            })
            .WithHealthCheck(healthCheckKey);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
