using System.Net.Http.Headers;
using Orchestrator.Protocol.Client;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Tests.Infrastructure;

// One whole AppHost (Redis, manager, orchestrators) shared by every test in a class: starting it takes ~30 s.
public class ClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromMinutes(3);

    private readonly string _redisDirectory = Directory.CreateTempSubdirectory("orchestrator-redis-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    protected virtual int OrchestratorCount => 3;

    protected virtual int MaxAgents => 10;

    public IReadOnlyList<string> Orchestrators => Enumerable.Range(1, OrchestratorCount).Select(i => $"orchestrator-{i}").ToList();

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Orchestrator_AppHost>(
            [$"--Orchestrators:Count={OrchestratorCount}", $"--Orchestrators:MaxAgents={MaxAgents}", $"--Redis:DataDirectory={_redisDirectory}",
             // The local registry on a port and in a directory of this run, so clusters started side by side never share one.
             $"--LocalCluster:RegistryPort={FreePort.Next()}", $"--LocalCluster:RegistryDirectory={Path.Combine(_redisDirectory, "registry")}"],
            (options, _) => options.DisableDashboard = true);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());

        App = await builder.BuildAsync();
        using var deadline = new CancellationTokenSource(StartupDeadline);
        await App.StartAsync(deadline.Token);
        foreach (var resource in new[] { "redis", "manager" }.Concat(Orchestrators))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, deadline.Token);
        }
    }

    public HttpClient CreateClient(string resource) => App.CreateHttpClient(resource, "http");

    // An operator's client for the manager, logged in with the AppHost's generated admin password.
    public async Task<HttpClient> CreateAdminClientAsync()
    {
        var password = await App.Services.GetRequiredService<DistributedApplicationModel>()
            .Resources.OfType<ParameterResource>().Single(p => p.Name == "admin-password").GetValueAsync(default);
        var client = CreateClient("manager");
        var token = await new ManagerClient(client, ManagerCredentials.Admin(password!)).GetTokenAsync();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        try { Directory.Delete(_redisDirectory, recursive: true); } catch (IOException) { }
    }
}
