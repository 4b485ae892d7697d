using System.Globalization;

namespace Orchestrator.Manager.Problems;

// The Retry-After header of every 429: whole seconds, at least 1, so a client never retries at once.
public static class RetryAfter
{
    // Sets the header and returns the seconds it says.
    public static int Set(HttpResponse response, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}
