using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Enrollment;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Liveness;
using Orchestrator.Manager.Migrations;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Telemetry;

namespace Orchestrator.Manager.Extensions;

public static class ApplicationServiceExtensions
{
    public const int DefaultPort = 8000;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.ListenOnDefaultPort(DefaultPort);
        builder.Configuration.AddSeedEnvironment();
        builder.AddRedisClient("redis", configureOptions: options =>
        {
            RedisUrl.ApplyPassword(builder.Configuration, options);
            // Replies are completed on the .NET thread pool instead of the client's own dedicated threads, which on
            // few cores competed with ASP.NET Core's and spun while idle (docs/benchmarks/README.md, profile notes).
            options.SocketManager = StackExchange.Redis.SocketManager.ThreadPool;
        });

        builder.Services.AddOptions<ManagerOptions>().BindConfiguration(ManagerOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ManagerOptions>, ManagerOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<ManagerOptions>, ProductionSecretsValidator>();
        builder.Services.AddSingleton<IPostConfigureOptions<ManagerOptions>, DevelopmentSecrets>();
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        builder.Services.AddManagerRateLimits();
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
            // A key twice in one object is refused (400 naming the field), never read as "the last one wins"
            // (issue 30 item 3). JsonElement fields keep theirs so their validation names the exact key.
            json.SerializerOptions.AllowDuplicateProperties = false;
            json.SerializerOptions.Converters.Add(new JsonElementAsSentConverter());
        });
        builder.AddBadInputHandling();
        builder.AddTrustedProxies();
        builder.AddManagerAuthentication();
        builder.Services.AddOpenApi();

        builder.Services.AddSingleton<RedisLayout>();
        builder.Services.AddHostedService<RedisLayoutMigration>();
        builder.Services.AddHostedService<RedisTopologyRefresh>();
        builder.Services.AddSingleton<FleetChanges>();
        builder.Services.AddSingleton<ContainerStore>();
        builder.Services.AddSingleton<NodeVersionPolicy>();
        builder.Services.AddSingleton<ContainerTotals>();
        builder.Services.AddSingleton<LoginRateLimiter>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<EnrollmentTokenStore>();
        builder.Services.AddSingleton<NodeEnrollment>();
        builder.Services.AddHostedService<BootstrapEnrollmentToken>();
        builder.Services.AddHostedService<SharedPasswordNotice>();
        builder.Services.AddSingleton<ContainerStatusSnapshot>();
        builder.Services.AddSingleton<ManagerMetrics>();
        builder.Services.AddSingleton<LivenessSweeper>();
        builder.Services.AddSingleton<LivenessState>();
        builder.Services.AddHostedService<LivenessMonitor>();
        builder.AddAgentScheduling();
        builder.AddDeployments();
        builder.AddRecovery();
        builder.AddEventStream();
        builder.AddAgentLogs();
        builder.AddNodeJournal();
        builder.AddTenancy();
        builder.Services.AddHealthChecks().AddCheck<LivenessHealthCheck>("liveness-monitor");
        return builder;
    }

    public static WebApplication UseManagerPipeline(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodySizeLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }
}
