using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Tests.Infrastructure;

// One whole AppHost (Redis, manager, orchestrators) shared by every test in a class: starting it takes ~30 s.
public class ClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromMinutes(3);

    private readonly string _redisDirectory = Directory.CreateTempSubdirectory("orchestrator-redis-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    protected virtual int OrchestratorCount => 3;

    public IReadOnlyList<string> Orchestrators => Enumerable.Range(1, OrchestratorCount).Select(i => $"orchestrator-{i}").ToList();

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Orchestrator_AppHost>(
            [$"--Orchestrators:Count={OrchestratorCount}", $"--Redis:DataDirectory={_redisDirectory}"],
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

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        try { Directory.Delete(_redisDirectory, recursive: true); } catch (IOException) { }
    }
}
