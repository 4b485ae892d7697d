namespace Orchestrator.Manager.Redis;

// This replica's order of events, for the fleet snapshot (PlacementCandidates): every read of the snapshot and
// every write of this replica that changes what it holds (a registration, a status change, a placement, a
// report, a removal, a move) takes a mark from one counter. A snapshot whose read started after this replica's
// last such write shows all of them, so a caller reading the snapshot right after its own change sees it;
// other replicas' changes show once the snapshot is renewed (within Scheduling:CandidateMaxAge).
// A counter, not a clock, so "started after" holds even when the TimeProvider stands still.
public sealed class FleetChanges
{
    private long _clock;
    private long _lastWrite;

    public long Mark() => Interlocked.Increment(ref _clock);

    // Call once a write has completed in Redis.
    public void Wrote()
    {
        var mark = Mark();
        var last = Volatile.Read(ref _lastWrite);
        while (mark > last)
        {
            var seen = Interlocked.CompareExchange(ref _lastWrite, mark, last);
            if (seen == last) return;
            last = seen;
        }
    }

    public long LastWrite => Volatile.Read(ref _lastWrite);
}
