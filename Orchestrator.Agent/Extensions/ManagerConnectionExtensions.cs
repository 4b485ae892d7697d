using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Connection;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Polly;

namespace Orchestrator.Agent.Extensions;

public static class ManagerConnectionExtensions
{
    public static WebApplicationBuilder AddManagerConnection(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IContainerProbe, DockerEnvProbe>();
        services.AddSingleton<ManagerEndpointResolver>();
        services.AddSingleton<ManagerEndpoints>();
        services.AddSingleton<ConnectionState>();
        services.AddSingleton<Runtime.IManagerContact>(sp => sp.GetRequiredService<ConnectionState>());
        services.AddSingleton<ConnectionTelemetry>();
        services.AddSingleton<HeartbeatComposer>();
        // The node logs in as `cluster` with its own credential (enrolling first), or the seed's shared password.
        services.TryAddSingleton<NodeCredentials>();
        services.TryAddSingleton<IManagerCredentials>(sp => sp.GetRequiredService<NodeCredentials>());
        services.AddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new ManagerClient(() => factory.CreateClient(ManagerHttpClients.Calls), sp.GetRequiredService<IManagerCredentials>(),
                () => factory.CreateClient(ManagerHttpClients.LongPoll));
        });
        services.AddManagerHttpClient(ManagerHttpClients.Calls, o => o.RequestTimeout);
        services.AddManagerHttpClient(ManagerHttpClients.LongPoll, o => o.LongPollWait + o.RequestTimeout);
        services.AddHostedService<ManagerConnectionService>();
        services.AddSingleton<AgentReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentReporter>());
        services.AddHostedService<AssignmentListener>();
        services.AddManagerHttpClient(ManagerHttpClients.Logs, o => o.RequestTimeout);
        services.AddSingleton<LogShipper>();
        services.AddHostedService(sp => sp.GetRequiredService<LogShipper>());
        services.AddHealthChecks().AddCheck<LogShipper>(LogShipper.HealthName);
        services.AddSingleton<JournalUploader>();
        services.AddHostedService(sp => sp.GetRequiredService<JournalUploader>());
        services.AddHealthChecks().AddCheck<JournalUploader>(JournalUploader.HealthName);
        services.AddHealthChecks().AddCheck<ConnectionHealthCheck>(ConnectionHealthCheck.Name);
        return builder;
    }

    // A client for the manager with its own per-call timeout instead of the standard resilience handler:
    // the node's loops retry themselves, and the assignments long-poll needs a timeout longer than its wait.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is what drops the default handler.
    public static IHttpClientBuilder AddManagerHttpClient(this IServiceCollection services, string name, Func<ManagerConnectionOptions, TimeSpan> timeout)
    {
        var client = services.AddHttpClient(name, (sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<ManagerEndpoints>().Primary;
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => NodeTransport.CreateHandler(sp.GetRequiredService<IOptions<ManagerConnectionOptions>>().Value))
            .RemoveAllResilienceHandlers()
            // Outermost: each of several CENTRAL_MANAGER_URLs gets its own per-call timeout below.
            .AddHttpMessageHandler(sp => new ManagerFailoverHandler(sp.GetRequiredService<ManagerEndpoints>()));
        client.AddResilienceHandler(name + "-timeout", (pipeline, context) =>
            pipeline.AddTimeout(timeout(context.ServiceProvider.GetRequiredService<IOptions<ManagerConnectionOptions>>().Value)));
        return client;
    }
#pragma warning restore EXTEXP0001
}
