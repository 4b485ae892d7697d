using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Readings;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Agent.Workloads.Containers;
using Orchestrator.Agent.Workloads.Process;
using Orchestrator.Agent.Workloads.Trading;

namespace Orchestrator.Agent.Extensions;

public static class AgentRuntimeExtensions
{
    public static WebApplicationBuilder AddAgentRuntime(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IWorkloadDriver, TradingDriver>();
        services.AddSingleton<IWorkloadDriver, ProcessDriver>();
        services.AddOptions<ContainerEngineOptions>().BindConfiguration(ContainerEngineOptions.Section).ValidateOnStart();
        services.AddSingleton<ContainerEngine>();
        services.AddSingleton<IWorkloadDriver, ContainerDriver>();
        services.AddSingleton<WorkloadDrivers>();
        services.AddSingleton<TradingTelemetry>();
        services.AddSingleton<RuntimeTelemetry>();
        services.AddSingleton(sp => new ResourceSampler(sp.GetRequiredService<TimeProvider>()));

        // Fingerprints first: the node registers with what its drivers can run.
        services.AddSingleton<DriverFingerprints>();
        services.AddHostedService(sp => sp.GetRequiredService<DriverFingerprints>());
        services.AddHealthChecks().AddCheck<DriverHealthCheck>(DriverHealthCheck.Name);

        // Supervisor first: hosted services stop in reverse order, so agents are stopped last.
        services.AddSingleton<Orchestrator.Agent.Runtime.Logs.AgentLogs>();
        services.AddSingleton<AgentSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentSupervisor>());
        services.AddSingleton<SpecGate>();
        services.AddHostedService(sp => sp.GetRequiredService<SpecGate>());
        services.AddSingleton<NodeSecretKey>();
        // The node's own decisions, hash-chained and signed under DATA_DIR (issue 29).
        services.AddSingleton<NodeJournal>();
        services.AddSingleton<DesiredStateStore>();
        services.AddSingleton<DesiredStateCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<DesiredStateCoordinator>());
        return builder;
    }
}
