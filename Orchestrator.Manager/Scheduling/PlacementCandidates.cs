using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Scheduling;

// The fleet as placement sees it: a snapshot no older than Scheduling:CandidateMaxAge, read by one caller at a
// time and shared by every deploy in between, so a deploy no longer reads every container (at 10,000
// containers that was 5 MB per deploy). Reads start in the background once half the age has passed, so deploys
// rarely wait for one. A stale plan is safe: the commit script checks capacity atomically and refuses.
public sealed class PlacementCandidates(ContainerStore containers, TimeProvider time, IOptions<SchedulingOptions> options,
    FleetChanges? changes = null)
{
    // Order: when its read started, on this replica's Mark() counter. ReadAt: the same moment on the TimeProvider, for its age.
    public sealed record Snapshot(long Order, long ReadAt, IReadOnlyList<FleetCandidate> Containers, IReadOnlyDictionary<string, FleetCandidate> ById);

    private static readonly RedisValue[] Fields =
    [
        ContainerFields.Status, ContainerFields.AssignedAgents, ContainerFields.MaxAgents, ContainerFields.HealthScore,
        ContainerFields.Capabilities, ContainerFields.Metadata, ContainerFields.Name, ContainerFields.RunningAgents,
        ContainerFields.Resources, ContainerFields.ReservedCpuMillis, ContainerFields.ReservedMemoryMb, ContainerFields.Eligibility,
    ];

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly Lock _gate = new();
    private readonly FleetChanges _changes = changes ?? new FleetChanges();
    private Snapshot? _current;
    private (long Order, Task<Snapshot> Task)? _reading;

    // This replica's own placements (read your writes): each is counted in every snapshot whose read started
    // before it was done, since that read may have missed it; dropped once the current snapshot's read started
    // after it. Only other replicas' placements wait for the next read. A placement that finished while a read
    // was under way may be counted twice until the next one: that errs towards spreading, never stacking.
    private readonly List<(long Done, string ContainerId, int Count)> _placed = [];

    // A point in this replica's order of events: a read that starts later has a higher Order. A counter, not a
    // clock, so "started after" holds even when the TimeProvider stands still.
    public long Mark() => _changes.Mark();

    // A snapshot no older than CandidateMaxAge; with readAfter (a Mark()), one whose read started after it,
    // e.g. after a deploy began, when a container registered just before must be seen.
    public Task<Snapshot> GetAsync(long? readAfter = null)
    {
        lock (_gate)
        {
            var maxAge = options.Value.CandidateMaxAge;
            if (_current is { } current)
            {
                var age = time.GetElapsedTime(current.ReadAt);
                if (readAfter is { } after ? current.Order > after : age <= maxAge)
                {
                    if (readAfter is null && age > maxAge / 2) StartRead(null);
                    return Task.FromResult(current);
                }
            }
            return StartRead(readAfter);
        }
    }

    // For reads that must show this replica's own changes (the distribution): a snapshot whose read started
    // after this replica's last write to the fleet (see FleetChanges), no older than CandidateMaxAge, or up to
    // twice that while a newer read is under way (a reader then never waits for a whole fleet read).
    public Task<Snapshot> GetAfterOwnWritesAsync()
    {
        var lastWrite = _changes.LastWrite;
        lock (_gate)
        {
            var maxAge = options.Value.CandidateMaxAge;
            if (_current is { } current && current.Order > lastWrite)
            {
                var age = time.GetElapsedTime(current.ReadAt);
                if (age <= maxAge || age <= maxAge * 2 && _reading is not null)
                {
                    if (age > maxAge / 2) StartRead(null);
                    return Task.FromResult(current);
                }
            }
            return StartRead(lastWrite);
        }
    }

    // A deploy planned from `plannedFrom` placed these agents. A snapshot installed meanwhile did not count
    // them (the planner's Took went to the snapshot it planned from): count them there now.
    public void Placed(Snapshot plannedFrom, IEnumerable<(string ContainerId, int Count)> shares)
    {
        lock (_gate)
        {
            var done = Mark();
            foreach (var (id, count) in shares)
            {
                _placed.Add((done, id, count));
                if (_current is { } current && !ReferenceEquals(current, plannedFrom) && current.ById.TryGetValue(id, out var container))
                    container.Took(count);
            }
        }
    }

    // Under _gate. Joins a read that started late enough, or starts one.
    private Task<Snapshot> StartRead(long? readAfter)
    {
        if (_reading is { } reading && (readAfter is null || reading.Order > readAfter)) return reading.Task;
        var order = Mark();
        var readAt = time.GetTimestamp();
        var task = Task.Run(() => ReadAsync(order, readAt));
        _reading = (order, task);
        return task;
    }

    private async Task<Snapshot> ReadAsync(long started, long readAt)
    {
        try
        {
            var ids = await containers.AllIdsAsync();
            var values = await containers.ReadFieldsAsync(ids, Fields);
            var previous = Volatile.Read(ref _current)?.ById;
            var list = new List<FleetCandidate>(ids.Count);
            for (var i = 0; i < ids.Count; i++)
            {
                if (values[i] is not [{ HasValue: true } status, var assigned, var max, var health, var caps, var metadata, var name, var running,
                    var resources, var cpuReserved, var memoryReserved, var eligibility]) continue;
                FleetCandidate? before = null;
                previous?.TryGetValue(ids[i], out before);
                var (cpuTotal, memoryTotal) = before?.RawResources == resources.ToString() ? (before.CpuMillisTotal, before.MemoryMbTotal)
                    : ParseResources(resources.ToString());
                list.Add(Parse(ids[i], status, assigned, max, health, caps.ToString(), metadata.ToString(), before, name.ToString(), Int(running),
                    new Room(resources.ToString(), cpuTotal, memoryTotal, Long(cpuReserved), Long(memoryReserved)),
                    eligibility.ToString() != ContainerEligibility.Ineligible));
            }
            var snapshot = new Snapshot(started, readAt, list, list.ToDictionary(c => c.ContainerId, StringComparer.Ordinal));
            lock (_gate)
            {
                foreach (var (done, id, count) in _placed)
                {
                    if (done > started && snapshot.ById.TryGetValue(id, out var container)) container.Took(count);
                }
                if (_current is null || _current.Order < started)
                {
                    _current = snapshot;
                    _placed.RemoveAll(p => p.Done < started);
                }
                if (_reading?.Order == started) _reading = null;
            }
            return snapshot;
        }
        catch
        {
            lock (_gate)
            {
                if (_reading?.Order == started) _reading = null;
            }
            throw;
        }
    }

    private static int Int(RedisValue value) => (int)(long)(value.IsNull ? 0 : value);

    private sealed record Room(string Raw, long CpuMillisTotal, long MemoryMbTotal, long CpuMillisReserved, long MemoryMbReserved);

    private static long Long(RedisValue value) => value.IsNull ? 0 : (long)value;

    // The node's registered resources as placement counts them: cpu_count x 1000 and memory_limit (bytes) in MB,
    // as AgentScripts.Resources does; (0, 0) for a seed client's resources of another shape.
    private static (long CpuMillis, long MemoryMb) ParseResources(string json)
    {
        if (string.IsNullOrEmpty(json)) return (0, 0);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (0, 0);
            var cpu = root.TryGetProperty("cpu_count", out var c) && c.ValueKind == JsonValueKind.Number ? (long)Math.Floor(c.GetDouble() * 1000) : 0;
            var memory = root.TryGetProperty("memory_limit", out var m) && m.ValueKind == JsonValueKind.Number ? (long)Math.Floor(m.GetDouble() / 1048576) : 0;
            return (cpu, memory);
        }
        catch (JsonException)
        {
            return (0, 0);
        }
    }

    private static FleetCandidate Parse(string id, RedisValue status, RedisValue assigned, RedisValue max, RedisValue health,
        string caps, string metadata, FleetCandidate? before, string name, int running, Room room, bool eligible)
    {
        var capabilities = before?.RawCapabilities == caps ? before.Capabilities : ParseCapabilities(caps);
        var (meta, orchestrator) = before?.RawMetadata == metadata ? (before.Metadata, before.OrchestratorId) : ParseMetadata(metadata);
        return new FleetCandidate
        {
            ContainerId = id,
            Status = status.ToString(),
            Eligible = eligible,
            Name = name,
            Assigned = Int(assigned),
            Running = running,
            MaxAgents = Int(max),
            HealthScore = double.TryParse(health.ToString(), CultureInfo.InvariantCulture, out var score) ? score : 0,
            Capabilities = capabilities,
            Metadata = meta,
            OrchestratorId = orchestrator,
            RawCapabilities = caps,
            RawMetadata = metadata,
            RawResources = room.Raw,
            CpuMillisTotal = room.CpuMillisTotal,
            MemoryMbTotal = room.MemoryMbTotal,
            CpuMillisReserved = room.CpuMillisReserved,
            MemoryMbReserved = room.MemoryMbReserved,
        };
    }

    private static HashSet<string> ParseCapabilities(string json)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json)) return set;
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array) return set;
        foreach (var capability in document.RootElement.EnumerateArray())
        {
            if (capability.GetString() is { } name) set.Add(name);
        }
        return set;
    }

    private static (JsonElement Metadata, string OrchestratorId) ParseMetadata(string json)
    {
        if (string.IsNullOrEmpty(json)) return (EmptyObject, "");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement.Clone();
        var orchestrator = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("orchestrator_id", out var id)
            ? ContainerViewExtensions.JsonIdentifier(id) ?? "" : "";
        return (root, orchestrator);
    }
}
