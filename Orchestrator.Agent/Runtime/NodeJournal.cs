using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NSec.Cryptography;
using Orchestrator.Agent.Configuration;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Agent.Runtime;

// When the node last heard from the manager: the gap a decision was made in. Connection/ConnectionState is the one
// the node uses; declared here so the runtime does not depend on the room above it.
public interface IManagerContact
{
    DateTimeOffset? LastContact { get; }
}

// The node's journal (docs/protocol.md "The node's journal"): every decision the node makes on its own (a restart
// after a crash, a fence, an adoption, a refused spec, a stop on a lock timeout) is appended to DATA_DIR/journal.jsonl,
// one JSON entry a line, each holding the previous entry's hash and signed with the node's journal key
// (DATA_DIR/journal.key, Ed25519, 0600, made on first use). The file is only ever appended to; the uploader
// (Connection/JournalUploader) sends the entries the manager has not acknowledged, and the manager checks the chain.
public sealed class NodeJournal
{
    public const string FileName = "journal.jsonl";
    public const string KeyFileName = "journal.key";

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger<NodeJournal> _logger;
    private readonly IManagerContact? _contact;
    private Key? _key;
    private (long Sequence, string Hash)? _tip;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeJournal(IOptions<RuntimeOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<NodeJournal> logger,
        IManagerContact? contact = null)
    {
        var directory = Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath);
        FilePath = Path.Combine(directory, FileName);
        KeyPath = Path.Combine(directory, KeyFileName);
        (_time, _logger, _contact) = (time, logger, contact);
    }

    public string FilePath { get; }
    public string KeyPath { get; }

    // The public half of the journal key (base64), sent at enrollment and with each upload.
    public string PublicKey
    {
        get { lock (_gate) return JournalChain.PublicKeyText(Key()); }
    }

    // Null when the key file cannot be read or made (the node then enrolls without pinning it; its first upload pins it).
    public string? TryPublicKey()
    {
        try
        {
            return PublicKey;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _logger.LogError("The node's journal key ({Path}) cannot be read: {Error}", KeyPath, ex.Message);
            return null;
        }
    }

    // Completes at the next append: the uploader waits on it instead of polling.
    public Task Appended
    {
        get { lock (_gate) return _appended.Task; }
    }

    public long LastSequence
    {
        get { lock (_gate) return Tip().Sequence; }
    }

    // Appends one decision. Never throws: a journal that cannot be written must not stop the decision itself.
    public JournalEntry? Record(string kind, string? agentId, string detail)
    {
        try
        {
            TaskCompletionSource appended;
            JournalEntry entry;
            lock (_gate)
            {
                var (sequence, hash) = Tip();
                entry = JournalChain.Append(Key(), sequence, hash, _time.GetUtcNow(), kind, agentId, TextCutDetail(detail), _contact?.LastContact);
                var line = JsonSerializer.Serialize(entry, ProtocolJsonContext.Default.JournalEntry) + "\n";
                using (var stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read))
                {
                    stream.Write(Encoding.UTF8.GetBytes(line));
                    stream.Flush(flushToDisk: true);
                }
                _tip = (entry.Sequence, entry.Hash!);
                appended = _appended;
                _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            appended.TrySetResult();
            return entry;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _logger.LogError("Could not write the node's journal ({Path}): {Error}", FilePath, ex.Message);
            return null;
        }
    }

    // The entries after sequence `after`, as written on disk (read fresh: what an edit on disk left is what is sent).
    // A line that does not read as an entry is sent as an entry that cannot verify, so the manager reports it.
    public IReadOnlyList<JournalEntry> After(long after, int max)
    {
        var entries = new List<JournalEntry>();
        lock (_gate)
        {
            if (!File.Exists(FilePath)) return entries;
            long previous = 0;
            foreach (var line in File.ReadLines(FilePath))
            {
                if (line.Length == 0) continue;
                var entry = Parse(line) ?? new JournalEntry(previous + 1, _time.GetUtcNow(), null, null, "unreadable journal line", null, null, null, null);
                previous = entry.Sequence;
                if (entry.Sequence <= after) continue;
                entries.Add(entry);
                if (entries.Count == max) break;
            }
        }
        return entries;
    }

    private static JournalEntry? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ProtocolJsonContext.Default.JournalEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string TextCutDetail(string detail) => Workloads.TextCut.ToLimit(detail) ?? "";

    // The last entry on disk; a torn last line (the node died mid-write) is cut off, since it was never complete.
    private (long Sequence, string Hash) Tip()
    {
        if (_tip is { } tip) return tip;
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        if (!File.Exists(FilePath)) return (_tip = (0, JournalChain.Genesis)).Value;
        var text = File.ReadAllText(FilePath);
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            var keep = text.LastIndexOf('\n') + 1;
            _logger.LogWarning("The node's journal ends in a torn line (the node stopped while writing it); cutting it off");
            using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Write);
            stream.SetLength(Encoding.UTF8.GetByteCount(text[..keep]));
            text = text[..keep];
        }
        var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() is { } line ? Parse(line) : null;
        return (_tip = last is { Hash: { } hash } ? (last.Sequence, hash) : (0, JournalChain.Genesis)).Value;
    }

    private Key Key()
    {
        if (_key is not null) return _key;
        if (File.Exists(KeyPath))
        {
            var raw = File.ReadAllBytes(KeyPath);
            if (raw.Length != 32) throw new InvalidOperationException($"{KeyPath} is not a 32-byte Ed25519 key");
            return _key = JournalChain.ImportPrivateKey(raw);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        var key = JournalChain.NewKey();
        var temporary = KeyPath + $".{Environment.ProcessId}.tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, fileOptions))
        {
            stream.Write(key.Export(KeyBlobFormat.RawPrivateKey));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, KeyPath, overwrite: false);
        return _key = key;
    }
}
