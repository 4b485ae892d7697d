namespace Orchestrator.Agent.Workloads.Process;

// The last N lines a child process wrote (stdout and stderr interleaved as they arrive), each cut to 1 KiB. Lines
// come already redacted (ProcessAgent redacts before the cut, so a cut never leaves half a value behind).
public sealed class OutputTail(int capacity)
{
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(TextCut.ToLimit(line)!);
            while (_lines.Count > capacity) _lines.Dequeue();
        }
    }

    public string[] Lines()
    {
        lock (_lines) return [.. _lines];
    }
}
