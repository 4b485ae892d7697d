using System.Diagnostics;

namespace Microsoft.Extensions.Hosting;

// Tracing for background loops (heartbeats, sweeps, long-polls). Each pass is one root span with its calls
// (Redis commands, HTTP requests) as children, so the dashboard's trace list gets at most one entry per pass
// instead of one per Redis call. A pass with nothing to show is made quiet: it and everything under it is
// left out of the export, so a user's deploy stays easy to find among thousands of idle sweeps.
public static class BackgroundPass
{
    // The tag every pass carries, so a trace can be told apart from a user's request.
    public const string Tag = "orchestrator.background_pass";

    public static Activity? StartPass(this ActivitySource source, string name)
    {
        var activity = source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(Tag, true);
        return activity;
    }

    // Leaves this pass out of the export. Called before the pass makes its calls, the children are not
    // recorded either (their sampling follows the parent: HTTP calls carry the unsampled flag in traceparent,
    // so the other process drops its side too). Called at the end, it still covers Redis commands, whose spans
    // are only made once the parent has ended (see RootSampler), but not spans already ended.
    public static void Quiet(this Activity? activity)
    {
        if (activity is null) return;
        activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        activity.IsAllDataRequested = false;
    }

    // Runs a call outside any trace (the caller's trace does not get a child per poll of a long-lived loop, such
    // as the event stream's reads). Calls made this way have no parent, and parentless Redis commands are not
    // exported (RootSampler). Only the synchronous start of the call runs without Activity.Current, which is
    // where StackExchange.Redis picks the profiling session and HttpClient picks the parent.
    public static Task<T> Untraced<T>(Func<Task<T>> call)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            return call();
        }
        finally
        {
            Activity.Current = previous;
        }
    }
}
