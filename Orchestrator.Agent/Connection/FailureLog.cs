namespace Orchestrator.Agent.Connection;

// Logs a failure cause the first time it appears in a run of failures, and a recovery line when it clears,
// so a manager down for an hour is one warning, not one per retry.
public sealed class FailureLog(ILogger logger)
{
    private string? _lastKind;

    public void Failure(string phase, FailureCause cause)
    {
        if (cause.Kind == _lastKind)
        {
            logger.LogDebug("{Phase} failed again ({Cause}): {Detail}", phase, cause.Kind, cause.Detail);
            return;
        }
        _lastKind = cause.Kind;
        logger.LogWarning("{Phase} failed ({Cause}): {Detail}; retrying with backoff", phase, cause.Kind, cause.Detail);
    }

    public void Success(string phase)
    {
        if (_lastKind is null) return;
        _lastKind = null;
        logger.LogInformation("{Phase} succeeded again", phase);
    }
}
