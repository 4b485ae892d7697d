using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

public sealed class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var errors = new List<string>();
        if (options.MaxLength < 100) errors.Add("Events:MaxLength must be at least 100.");
        if (options.MaxStreamsPerToken < 1) errors.Add("Events:MaxStreamsPerToken must be at least 1.");
        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(100)) errors.Add("Events:HeartbeatInterval must be at least 100 ms.");
        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromSeconds(1))
            errors.Add("Events:PollInterval must be between 10 ms and 1 s (events must reach clients within a second).");
        if (options.QueueCapacity < 100) errors.Add("Events:QueueCapacity must be at least 100.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
