using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Runtime.Logs;

// Every agent's log buffer on this node (DATA_DIR/logs, LOG_BUFFER_MB each). Drivers write through the
// supervisor's WorkloadEvents; the shipper (Connection/LogShipper) reads and acknowledges. Buffers left by a
// previous node process are loaded at start, so lines captured before a restart still ship.
public sealed class AgentLogs
{
    private readonly ConcurrentDictionary<string, AgentLogBuffer> _buffers = new(StringComparer.Ordinal);
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string _directory;
    private readonly long _capacity;
    private readonly TimeProvider _time;

    public AgentLogs(IOptions<RuntimeOptions> options, TimeProvider time)
    {
        _directory = Path.Combine(options.Value.DataDirectory, "logs");
        _capacity = (long)(options.Value.LogBufferMegabytes * 1024 * 1024);
        _time = time;
        Directory.CreateDirectory(_directory);
        foreach (var journal in Directory.EnumerateFiles(_directory, "*.log"))
        {
            var agentId = Uri.UnescapeDataString(Path.GetFileNameWithoutExtension(journal));
            _buffers[agentId] = new AgentLogBuffer(_directory, agentId, _capacity);
        }
    }

    // Where a redactor replaces secret values known to the node with "[redacted]" before anything is buffered
    // (issue 26's secrets half): null leaves lines as they are.
    public Func<string, string>? Redactor { get; set; }

    // time: the line's own time (a container engine's timestamp), else now.
    public void Append(string agentId, string stream, string text, DateTimeOffset? time = null)
    {
        if (Redactor is { } redact) text = redact(text);
        _buffers.GetOrAdd(agentId, id => new AgentLogBuffer(_directory, id, _capacity)).Append(stream, text, time ?? _time.GetUtcNow());
        _signal.Writer.TryWrite(true);
    }

    public IReadOnlyList<AgentLogBuffer> Buffers() => [.. _buffers.Values];

    public AgentLogBuffer? Of(string agentId) => _buffers.GetValueOrDefault(agentId);

    // The manager no longer takes this agent's lines from this node (deleted, or placed elsewhere).
    public void Forget(string agentId)
    {
        if (_buffers.TryRemove(agentId, out var buffer)) buffer.Delete();
    }

    public async ValueTask WaitForLinesAsync(CancellationToken cancellationToken)
    {
        await _signal.Reader.WaitToReadAsync(cancellationToken);
        _signal.Reader.TryRead(out _);
    }
}
