using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Orchestrator.Bench.DeployLatency;

// redis-server, the manager and N orchestrators as real processes on free loopback ports.
public sealed class LocalCluster : IAsyncDisposable
{
    public const string AdminPassword = "bench-admin-password";
    private const string JwtSecret = "bench-jwt-secret-of-at-least-thirty-two-chars";

    private readonly List<Process> _processes = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("deploy-latency-").FullName;

    public Uri Manager { get; private set; } = null!;
    public Dictionary<int, Uri> OrchestratorsByPort { get; } = [];

    public static async Task<LocalCluster> StartAsync(string artifacts, int orchestrators)
    {
        var cluster = new LocalCluster();
        var redisPort = FreePort();
        cluster.Start("redis-server", $"--port {redisPort} --save \"\" --appendonly no --dir {cluster._directory}", []);
        var managerPort = FreePort();
        cluster.Manager = new Uri($"http://127.0.0.1:{managerPort}");
        cluster.Start("dotnet", Path.Combine(artifacts, "manager", "Orchestrator.Manager.dll"), new()
        {
            ["ASPNETCORE_URLS"] = cluster.Manager.ToString(), ["REDIS_URL"] = $"redis://127.0.0.1:{redisPort}",
            ["JWT_SECRET"] = JwtSecret, ["ADMIN_PASSWORD"] = AdminPassword, ["HEARTBEAT_INTERVAL"] = "2",
            ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning",
        });
        for (var i = 1; i <= orchestrators; i++)
        {
            var port = FreePort();
            cluster.OrchestratorsByPort[port] = new Uri($"http://127.0.0.1:{port}");
            cluster.Start("dotnet", Path.Combine(artifacts, "agent", "Orchestrator.Agent.dll"), new()
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}", ["AGENT_PORT"] = port.ToString(), ["CENTRAL_MANAGER_URL"] = cluster.Manager.ToString(),
                ["ADMIN_PASSWORD"] = AdminPassword, ["CONTAINER_NAME"] = $"bench-orchestrator-{i}", ["ORCHESTRATOR_ID"] = i.ToString(),
                ["EXTERNAL_IP"] = "127.0.0.1", ["HEARTBEAT_INTERVAL"] = "2", ["DATA_DIR"] = Path.Combine(cluster._directory, $"node-{i}"),
                ["AGENT_CONFIG"] = $$"""{"capabilities":["agent_runner"],"max_agents":10,"orchestrator_id":{{i}}}""",
                ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning",
            });
        }
        await cluster.WaitForRegistrationsAsync(orchestrators);
        return cluster;
    }

    public async Task<HttpClient> AdminClientAsync()
    {
        var client = new HttpClient { BaseAddress = Manager, Timeout = TimeSpan.FromSeconds(30) };
        var login = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = AdminPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private async Task WaitForRegistrationsAsync(int expected)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var admin = await AdminClientAsync();
                var list = await admin.GetFromJsonAsync<JsonElement>("/api/v1/cluster/containers?status=healthy");
                if (list.GetProperty("count").GetInt32() >= expected) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{expected} orchestrators did not register within 90 s");
    }

    private void Start(string file, string arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            try { process.Kill(entireProcessTree: true); await process.WaitForExitAsync(); } catch (InvalidOperationException) { }
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
