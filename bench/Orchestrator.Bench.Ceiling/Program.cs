using Orchestrator.Bench.Ceiling;
using Orchestrator.Protocol;

// No service defaults, no telemetry, no Redis, no auth: only Kestrel, routing and JSON.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    // As the manager does: the context's own naming policy does not carry over to these options.
    o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
});

var app = builder.Build();
app.MapCeilingApi();
app.Run();
