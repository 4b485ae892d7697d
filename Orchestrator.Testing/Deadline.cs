using Orchestrator.Protocol.Client;

namespace Orchestrator.Testing;

// Waits poll until a condition holds or the deadline passes; they never sleep a fixed time.
// Transient failures of a probe (connection refused, timeouts, a half-started service, an error answer
// from a manager whose Redis is down) count as "not yet".
public static class Deadline
{
    public static async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var until = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var result = await probe();
                if (result is not null && result is not false) return result;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or ManagerProblemException)
            {
                last = ex;
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for {what}.", last);
    }

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null) =>
        PollAsync<object>(async () => await condition() ? true : null, timeout, what, interval);
}
