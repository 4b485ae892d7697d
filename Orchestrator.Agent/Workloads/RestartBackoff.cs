namespace Orchestrator.Agent.Workloads;

// Exponential: base, 2x base, 4x base ... capped.
public static class RestartBackoff
{
    public static TimeSpan For(int restart, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var exponent = Math.Clamp(restart - 1, 0, 30);
        var delay = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(delay, maxDelay.TotalMilliseconds));
    }
}
