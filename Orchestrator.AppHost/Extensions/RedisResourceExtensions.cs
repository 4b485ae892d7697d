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
        if (builder.Configuration.GetValue("Redis:Cluster", 0) is var masters and > 0) return builder.AddRedisCluster(name, masters);
        return builder.AddRedisServer(name);
    }

    // Run mode only: a Redis Cluster of `masters` redis-server processes on ports Redis:ClusterPort (7000) and up,
    // their cluster buses 10000 above. Redis Cluster needs at least three masters.
    public static IResourceBuilder<RedisClusterResource> AddRedisCluster(this IDistributedApplicationBuilder builder, string name, int masters)
    {
        if (masters < 3) throw new InvalidOperationException($"Redis:Cluster={masters}: a Redis Cluster needs at least 3 masters.");
        var command = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. Install it (Debian: apt-get install -y redis-server redis-tools).");
        var firstPort = builder.Configuration.GetValue("Redis:ClusterPort", 7000);
        var root = Path.GetFullPath(builder.Configuration["Redis:DataDirectory"] ?? Path.Combine(builder.AppHostDirectory, ".data", name + "-cluster"));
        var ports = Enumerable.Range(firstPort, masters).ToList();
        var cluster = new RedisClusterResource(name, Directory.CreateDirectory(root).FullName, ports);
        var clusterCheck = $"{name}_cluster_ok";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            clusterCheck, _ => new RedisClusterHealthCheck(cluster), failureStatus: null, tags: null));
        var resource = builder.AddResource(cluster).WithArgs("-c", cluster.Script()).WithHealthCheck(clusterCheck);

        foreach (var port in ports)
        {
            var dataDirectory = Directory.CreateDirectory(Path.Combine(root, port.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            var node = new RedisServerResource($"{name}-{port}", command, dataDirectory);
            var pingCheck = $"{name}-{port}_ping";
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                pingCheck, _ => new RedisPingHealthCheck(node), failureStatus: null, tags: null));
            var nodeBuilder = builder.AddResource(node)
                .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "tcp", port: port, targetPort: port, isProxied: false)
                .WithArgs("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                    "--appendonly", "yes", "--dir", dataDirectory, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
                .WithHealthCheck(pingCheck);
            resource.WaitFor(nodeBuilder);
        }
        return resource;
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

    internal static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
