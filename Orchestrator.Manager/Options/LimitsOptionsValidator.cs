using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

// Every limit must be positive: a zero would silently refuse all traffic of its kind.
public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var errors = new List<string>();
        Positive(errors, nameof(options.DeploysPerSecondPerCaller), options.DeploysPerSecondPerCaller);
        Positive(errors, nameof(options.RegistrationsPerSecondPerCaller), options.RegistrationsPerSecondPerCaller);
        Positive(errors, nameof(options.LogBatchesPerSecondPerCaller), options.LogBatchesPerSecondPerCaller);
        Positive(errors, nameof(options.LongPollsPerCaller), options.LongPollsPerCaller);
        Positive(errors, nameof(options.MaxConcurrentRequests), options.MaxConcurrentRequests);
        if (options.MaxQueuedRequests < 0) errors.Add($"{LimitsOptions.SectionName}:{nameof(options.MaxQueuedRequests)} must not be negative.");
        Positive(errors, nameof(options.GlobalLoginFailureLimit), options.GlobalLoginFailureLimit);
        Positive(errors, nameof(options.MaxCapabilities), options.MaxCapabilities);
        Positive(errors, nameof(options.MaxCapabilityLength), options.MaxCapabilityLength);
        Positive(errors, nameof(options.MaxLabels), options.MaxLabels);
        Positive(errors, nameof(options.MaxLabelLength), options.MaxLabelLength);
        Positive(errors, nameof(options.MaxMetadataProperties), options.MaxMetadataProperties);
        Positive(errors, nameof(options.MaxMetadataBytes), options.MaxMetadataBytes);
        Positive(errors, nameof(options.MaxAgentConfigBytes), options.MaxAgentConfigBytes);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string name, int value)
    {
        if (value < 1) errors.Add($"{LimitsOptions.SectionName}:{name} must be at least 1; it is {value}.");
    }
}
