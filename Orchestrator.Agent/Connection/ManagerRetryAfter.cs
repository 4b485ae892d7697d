using Orchestrator.Protocol.Client;

namespace Orchestrator.Agent.Connection;

// The node honours the manager's Retry-After (429 rate limits, 503 overload): after a failed call it
// waits the longer of its own backoff and what the manager asked for.
public static class ManagerRetryAfter
{
    public static TimeSpan AtLeast(Exception? failure, TimeSpan backoff) =>
        failure is ManagerProblemException { RetryAfter: { } wait } && wait > backoff ? wait : backoff;
}
