using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Connection;

namespace Orchestrator.Agent.Extensions;

public static class NodeOptionsExtensions
{
    // Bound from the keys NodeSeedEnvironment writes; every problem is reported before the host starts.
    public static WebApplicationBuilder AddNodeOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SeedProblems>().BindConfiguration(SeedProblems.Section).ValidateOnStart();
        builder.Services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section).ValidateOnStart();
        builder.Services.AddOptions<ManagerConnectionOptions>().BindConfiguration(ManagerConnectionOptions.Section).ValidateOnStart();
        builder.Services.AddOptions<RuntimeOptions>().BindConfiguration(RuntimeOptions.Section).ValidateOnStart();
        builder.Services.AddOptions<SigningOptions>().BindConfiguration(SigningOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SigningOptions>, SigningOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<SeedProblems>, SeedProblemsValidator>();
        builder.Services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<ManagerConnectionOptions>, ManagerConnectionOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<RuntimeOptions>, RuntimeOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<ContainerEngineOptions>, ContainerEngineOptionsValidator>();
        builder.Services.AddHostedService<SeedNotices>();
        return builder;
    }
}
