using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Extensions;

public static class ApplicationServiceExtensions
{
    public const int DefaultPort = 8001;

    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddSeedEnvironment();
        var port = builder.Configuration.GetValue<int?>("Node:Port") is { } p and > 0 and <= 65535 ? p : DefaultPort;
        builder.ListenOnDefaultPort(port);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddNodeOptions();
        builder.AddAgentRuntime();
        builder.AddManagerConnection();
        builder.AddLeaseFencing();

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
        });
        return builder;
    }
}
