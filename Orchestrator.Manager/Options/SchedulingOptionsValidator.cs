using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

public sealed class SchedulingOptionsValidator : IValidateOptions<SchedulingOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulingOptions options)
    {
        var errors = new List<string>();
        if (options.MaxReplicas < 1) errors.Add("Scheduling:MaxReplicas must be at least 1.");
        if (options.MaxLongPoll < TimeSpan.FromSeconds(1)) errors.Add("Scheduling:MaxLongPoll must be at least 1 second.");
        if (options.AgentLease < TimeSpan.FromSeconds(1)) errors.Add("Scheduling:AgentLease must be at least 1 second.");
        // Never two copies: the old orchestrator must have fenced its copy before a new one is placed. The
        // manager moves an agent no sooner than 3 x HEARTBEAT_INTERVAL + RescheduleAfter after the last heartbeat
        // it received; the orchestrator stops it no later than AgentLease (+ its check period and stop timeout)
        // after sending that heartbeat. RescheduleAfter > AgentLease keeps the whole lost window as margin.
        if (options.RescheduleAfter <= options.AgentLease)
            errors.Add($"Scheduling:RescheduleAfter ({options.RescheduleAfter}) must be longer than Scheduling:AgentLease ({options.AgentLease}): " +
                "an orchestrator must have fenced its copy before the manager starts another.");
        if (options.CandidateMaxAge < TimeSpan.Zero || options.CandidateMaxAge > TimeSpan.FromSeconds(10))
            errors.Add("Scheduling:CandidateMaxAge must be between 0 and 10 seconds.");
        if (options.ReservationTimeout < TimeSpan.FromSeconds(1)) errors.Add("Scheduling:ReservationTimeout must be at least 1 second.");
        if (options.IdempotencyRetention <= TimeSpan.Zero) errors.Add("Scheduling:IdempotencyRetention must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
