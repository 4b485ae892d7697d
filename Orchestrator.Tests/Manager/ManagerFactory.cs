using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Manager.Options;
using Orchestrator.Protocol.Client;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

// The real manager (Program, middleware, Redis client) in-process, against a real redis-server or a real
// Redis Cluster. Time is a FakeTimeProvider starting now, so tests move the liveness clock by hand.
public sealed class ManagerFactory(string redisConnectionString, Dictionary<string, string?>? settings = null)
    : WebApplicationFactory<ManagerOptions>
{
    public ManagerFactory(RedisHost redis, Dictionary<string, string?>? settings = null) : this(redis.ConnectionString, settings)
    {
    }

    public ManagerFactory(RedisClusterHost cluster, Dictionary<string, string?>? settings = null) : this(cluster.ConnectionString, settings)
    {
    }

    public const string AdminPassword = "test-admin-password";
    public const string JwtSecret = "test-jwt-secret-of-at-least-32-characters!";
    public const string MasterSecretKey = "test-master-secret-key-of-at-least-32-characters";
    public const string ClientIpHeader = "X-Test-Client-Ip";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:redis", redisConnectionString);
        builder.UseSetting("Manager:AdminPassword", AdminPassword);
        builder.UseSetting("Manager:JwtSecret", JwtSecret);
        builder.UseSetting("Manager:MasterSecretKey", MasterSecretKey);
        builder.UseSetting("Manager:HeartbeatInterval", "00:00:30");
        builder.UseSetting("Manager:LoginFailureLimit", "3");
        // Most API tests use the seed's shared-password cluster login; the enrollment tests switch it off.
        builder.UseSetting("Manager:AllowSharedPasswordNodes", "true");
        foreach (var (key, value) in settings ?? []) builder.UseSetting(key, value);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            // TestServer has no remote address; tests name the client IP so rate limits stay per test.
            services.AddSingleton<IStartupFilter, TestClientIpStartupFilter>();
        });
    }

    public HttpClient CreateClient(string clientIp)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(ClientIpHeader, clientIp);
        return client;
    }

    public Task<HttpClient> CreateAdminClientAsync() => CreateAuthorizedClientAsync(ManagerCredentials.Admin(AdminPassword));

    public Task<HttpClient> CreateClusterClientAsync(string containerName) =>
        CreateAuthorizedClientAsync(ManagerCredentials.Node(AdminPassword, containerName));

    // A raw client (tests assert on status codes and bad bodies) carrying a token from Protocol's ManagerClient login.
    private async Task<HttpClient> CreateAuthorizedClientAsync(IManagerCredentials credentials)
    {
        var client = CreateClient(IPAddress.Loopback.ToString());
        var token = await new ManagerClient(client, credentials).GetTokenAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed class TestClientIpStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientIpHeader], out var ip)) context.Connection.RemoteIpAddress = ip;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
