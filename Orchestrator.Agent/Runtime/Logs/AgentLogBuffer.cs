using System.Text;
using System.Text.Json;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Runtime.Logs;

// One agent's lines not yet acknowledged by the manager, on disk in DATA_DIR/logs (a journal of JSON lines and
// the last acknowledged sequence beside it), so a node restart or a long outage loses nothing within the bound.
// When the journal passes its bound it is rewritten with the unacknowledged lines only; if those alone pass
// three quarters of it, the oldest are dropped and one gap marker (stream "gap") counts them, taking the
// sequence of the last line it stands for so the order and the manager's dedupe still hold.
public sealed class AgentLogBuffer
{
    private readonly object _gate = new();
    private readonly string _journal;
    private readonly string _ackFile;
    private readonly long _capacity;
    private readonly LinkedList<(LogLine Line, int Bytes)> _pending = new();
    private FileStream _file;
    private long _fileBytes;
    private long _pendingBytes;
    private long _last;
    private long _acked;
    // Where this agent's log stands (see LogPosition): the newest line's time and how many lines had that very time.
    private DateTimeOffset? _lastTime;
    private int _atLastTime;

    public AgentLogBuffer(string directory, string agentId, long capacityBytes)
    {
        AgentId = agentId;
        var name = Uri.EscapeDataString(agentId);
        _journal = Path.Combine(directory, name + ".log");
        _ackFile = Path.Combine(directory, name + ".acked");
        _capacity = capacityBytes;
        // "acked [sequence time count]": the last acknowledged line, then the log's position as of line `sequence` (every
        // line up to it was in the journal by then); the journal's later lines advance it again below.
        long positionSequence = 0;
        if (File.Exists(_ackFile) && File.ReadAllText(_ackFile).Split(' ') is var ack && long.TryParse(ack[0], out var acked))
        {
            _acked = acked;
            if (ack.Length == 4 && long.TryParse(ack[1], out var upTo) && int.TryParse(ack[3], out var count)
                && DateTimeOffset.TryParse(ack[2], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at))
                (positionSequence, _lastTime, _atLastTime) = (upTo, at, count);
        }
        _last = _acked;
        if (File.Exists(_journal))
        {
            foreach (var text in File.ReadLines(_journal))
            {
                LogLine? line;
                try { line = JsonSerializer.Deserialize(text, ProtocolJsonContext.Default.LogLine); }
                catch (JsonException) { continue; } // a torn last line from a crash mid-write
                if (line is null) continue;
                if (line.Sequence > positionSequence && line.Stream != LogStreams.Gap) Advance(line.Time);
                if (line.Sequence <= _acked) continue;
                _pending.AddLast((line, Encoding.UTF8.GetByteCount(text) + 1));
                _pendingBytes += _pending.Last!.Value.Bytes;
                _last = Math.Max(_last, line.Sequence);
            }
        }
        _file = Rewrite();
    }

    public string AgentId { get; }

    public long Dropped { get; private set; }

    public bool HasPending { get { lock (_gate) return _pending.Count > 0; } }

    // Where the lines this buffer took stand (kept across restarts, also once acknowledged), or null before the first.
    public LogPosition? Position { get { lock (_gate) return _lastTime is { } time ? new LogPosition(time, _atLastTime) : null; } }

    // Secret values are replaced before this point (the redaction hook in AgentLogs.Append).
    public void Append(string stream, string text, DateTimeOffset time)
    {
        lock (_gate)
        {
            var line = new LogLine(++_last, time, stream, TextCut.ToLimit(text, LogStreams.MaxLineBytes)!);
            var bytes = Write(line);
            Advance(time);
            _pending.AddLast((line, bytes));
            _pendingBytes += bytes;
            if (_fileBytes > _capacity) Compact();
        }
    }

    // The oldest pending lines: at most max, and at most maxBytes of JSON (always at least one).
    public IReadOnlyList<LogLine> Pending(int max, long maxBytes = long.MaxValue)
    {
        lock (_gate)
        {
            var taken = new List<LogLine>();
            long bytes = 0;
            foreach (var (line, size) in _pending)
            {
                if (taken.Count >= max || (taken.Count > 0 && bytes + size > maxBytes)) break;
                taken.Add(line);
                bytes += size;
            }
            return taken;
        }
    }

    // The manager holds every line up to `sequence`: forget them (their journal space is reclaimed at the next compaction).
    public void Acknowledge(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= _acked) return;
            _acked = sequence;
            while (_pending.First is { } first && first.Value.Line.Sequence <= sequence)
            {
                _pendingBytes -= first.Value.Bytes;
                _pending.RemoveFirst();
            }
            var temporary = _ackFile + ".tmp";
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            File.WriteAllText(temporary, _lastTime is { } time
                ? $"{sequence.ToString(invariant)} {_last.ToString(invariant)} {time.ToString("O", invariant)} {_atLastTime.ToString(invariant)}"
                : sequence.ToString(invariant));
            File.Move(temporary, _ackFile, overwrite: true);
        }
    }

    private void Advance(DateTimeOffset time)
    {
        if (_lastTime is null || time > _lastTime) (_lastTime, _atLastTime) = (time, 1);
        else if (time == _lastTime) _atLastTime++;
    }

    public void Delete()
    {
        lock (_gate)
        {
            _pending.Clear();
            _file.Dispose();
            File.Delete(_journal);
            File.Delete(_ackFile);
        }
    }

    private int Write(LogLine line)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, ProtocolJsonContext.Default.LogLine);
        _file.Write(bytes);
        _file.WriteByte((byte)'\n');
        _file.Flush();
        _fileBytes += bytes.Length + 1;
        return bytes.Length + 1;
    }

    private void Compact()
    {
        long dropped = 0;
        LogLine? lastDropped = null;
        while (_pendingBytes > _capacity * 3 / 4 && _pending.First is { } first)
        {
            dropped += first.Value.Line.Stream == LogStreams.Gap ? first.Value.Line.Dropped : 1;
            lastDropped = first.Value.Line;
            _pendingBytes -= first.Value.Bytes;
            _pending.RemoveFirst();
        }
        if (lastDropped is not null)
        {
            Dropped += dropped;
            var marker = new LogLine(lastDropped.Sequence, lastDropped.Time, LogStreams.Gap, $"[{dropped} lines dropped: the node's log buffer was full]", dropped);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(marker, ProtocolJsonContext.Default.LogLine).Length + 1;
            _pending.AddFirst((marker, bytes));
            _pendingBytes += bytes;
        }
        _file.Dispose();
        _file = Rewrite();
    }

    // The journal holds exactly the pending lines again (written aside, then renamed over it).
    private FileStream Rewrite()
    {
        var temporary = _journal + ".tmp";
        using (var writer = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            foreach (var (line, _) in _pending)
            {
                writer.Write(JsonSerializer.SerializeToUtf8Bytes(line, ProtocolJsonContext.Default.LogLine));
                writer.WriteByte((byte)'\n');
            }
        }
        File.Move(temporary, _journal, overwrite: true);
        _fileBytes = _pendingBytes;
        return new FileStream(_journal, FileMode.Append, FileAccess.Write, FileShare.Read);
    }
}
