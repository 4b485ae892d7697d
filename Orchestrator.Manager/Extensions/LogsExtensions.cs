using Microsoft.Extensions.Options;
using Orchestrator.Manager.Logs;

namespace Orchestrator.Manager.Extensions;

public static class LogsExtensions
{
    // Agent logs: the capped per-agent Redis streams and the OTLP export of each stored line.
    public static WebApplicationBuilder AddAgentLogs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LogsOptions>().BindConfiguration(LogsOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LogsOptions>, LogsOptionsValidator>();
        builder.Services.AddSingleton<LogStore>();
        builder.Services.AddSingleton<AgentLogExport>();
        return builder;
    }
}
