using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Manager.Redis;
using Orchestrator.Tests.Abuse;
using Orchestrator.Tests.Manager;
using StackExchange.Redis;

namespace Orchestrator.Tests.Identity;

// A manager in production mode (ALLOW_SHARED_PASSWORD_NODES off) on a real redis-server, with a direct Redis
// connection so tests can prove that a refused request stored nothing.
public sealed class EnrollmentFixture : IAsyncLifetime
{
    public RedisHost Redis { get; } = new();
    public ManagerFactory Manager { get; private set; } = null!;
    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.StartAsync();
        Manager = new ManagerFactory(Redis, new() { ["Manager:AllowSharedPasswordNodes"] = "false" });
        _ = Manager.Server;
        Connection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Connection is not null) await Connection.DisposeAsync();
            if (Manager is not null) await Manager.DisposeAsync();
        }
        finally
        {
            await Redis.DisposeAsync();
        }
    }

    // Every key and value except the failed-login counters (a refused guess is meant to count) and the event
    // stream: the event writer appends in the background, so an earlier accepted request's event can create
    // the stream after the snapshot was taken.
    public async Task<string> SnapshotAsync() =>
        (await RedisSnapshot.TakeAsync(Connection, key => key.StartsWith("orchestrator:", StringComparison.Ordinal)
            && !key.Contains("login-failures", StringComparison.Ordinal) && key != RedisKeys.Events.ToString())).ToString();

    public async Task<string> CreateTokenAsync(object request, string clientIp = "10.9.0.1")
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/enrollment-tokens", request);
        Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public async Task<string> CreateTokenAsync(string orchestratorId = "1", int maxUses = 1) =>
        await CreateTokenAsync(new { orchestrator_id = orchestratorId, ttl_seconds = 3600, max_uses = maxUses });

    public static object EnrollBody(string token, string name, string orchestratorId = "1", int maxAgents = 10, string host = "127.0.0.1") => new
    {
        enrollment_token = token,
        container_name = name,
        host_address = host,
        api_port = 8001,
        capabilities = new[] { "agent_runner", "orchestrator_cluster" },
        resources = new { cpu_count = 2, memory_limit = 2147483648 },
        metadata = new { orchestrator_id = orchestratorId },
        max_agents = maxAgents,
    };

    public async Task<HttpResponseMessage> EnrollAsync(object body, string clientIp = "10.9.0.2")
    {
        using var client = Manager.CreateClient(clientIp);
        return await client.PostAsJsonAsync("/api/v1/cluster/enroll", body);
    }

    public sealed record EnrolledNode(string ContainerId, string Name, string Credential, HttpClient Client);

    // Creates a token, enrolls a node under a unique name and logs it in with its credential.
    public async Task<EnrolledNode> EnrollNodeAsync(string orchestratorId = "1")
    {
        var name = Registrations.UniqueName("enrolled");
        var response = await EnrollAsync(EnrollBody(await CreateTokenAsync(orchestratorId), name, orchestratorId));
        Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var credential = body.GetProperty("credential").GetString()!;
        var client = Manager.CreateClient("10.9.0.3");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await LoginAsync(credential, name));
        return new EnrolledNode(body.GetProperty("container_id").GetString()!, name, credential, client);
    }

    public async Task<string> LoginAsync(string credential, string name)
    {
        using var client = Manager.CreateClient("10.9.0.4");
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "cluster", password = credential, container_name = name });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }
}
