namespace Orchestrator.Agent.Connection;

// How long a node waits between attempts while the manager is unreachable (issue 27). For the first
// LongOutageIntervals heartbeat intervals of an outage the loops keep their own short schedule (a manager restart,
// a blip). Past that the outage is long, and a whole fleet retrying at that pace would greet a recovering manager
// all at once: the node backs off in stages (stage k begins after 10 * 2^(k-1) intervals and waits about
// stageBase * 2^k), capped, with jitter (0.5-1.0 of the stage's wait) so nodes that failed together spread out.
//
// The two loops use it differently. The heartbeat loop stages from one interval up to Manager:OutageMaxDelay: it
// is woken early anyway when the long-poll sees the manager again. The long-poll is how the node notices the
// manager is back, so it stages from its own short cap up to one interval only: after any outage the node is back
// within about one interval, long before the manager's 3 missed intervals would count it lost.
public static class StagedBackoff
{
    public const int LongOutageIntervals = 10;

    // 0 during the short schedule; then 1 from 10 intervals, 2 from 20, 3 from 40, ...
    public static int Stage(TimeSpan outage, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero || outage <= interval * LongOutageIntervals) return 0;
        var stage = 1;
        for (var start = LongOutageIntervals * 2.0; outage > interval * start && stage < 30; start *= 2) stage++;
        return stage;
    }

    // shortDelay: what the loop would wait during a short outage; stageBase: what stage 0 would double from;
    // random: 0..1 (Random.Shared.NextDouble()). Never below shortDelay.
    public static TimeSpan For(TimeSpan outage, TimeSpan interval, TimeSpan shortDelay, TimeSpan stageBase, TimeSpan cap, double random)
    {
        var stage = Stage(outage, interval);
        if (stage == 0) return shortDelay;
        var full = Math.Min(stageBase.TotalMilliseconds * Math.Pow(2, stage), cap.TotalMilliseconds);
        var staged = TimeSpan.FromMilliseconds(full * (0.5 + 0.5 * Math.Clamp(random, 0, 1)));
        return staged > shortDelay ? staged : shortDelay;
    }
}
