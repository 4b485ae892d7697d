using Microsoft.Extensions.Options;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Extensions;

public static class EventsExtensions
{
    // The live event stream: EventLog (the hooks' one entry point), its writer loop and the store. The per-token
    // stream bound is a rate-limit policy (RateLimitPolicies.EventStreams).
    public static WebApplicationBuilder AddEventStream(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        builder.Services.AddSingleton<EventsTelemetry>();
        builder.Services.AddSingleton<EventLog>();
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddSingleton<EventWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventWriter>());
        builder.Services.AddHealthChecks().AddCheck<EventWriterHealthCheck>("event-writer");
        return builder;
    }
}
