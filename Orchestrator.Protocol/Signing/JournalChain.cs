using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using NSec.Cryptography;

namespace Orchestrator.Protocol.Signing;

// The node's journal as a chain (docs/protocol.md "The node's journal"): how an entry's hash and signature are made
// from its canonical bytes, and how a reader (the manager) checks a run of entries after the last one it holds.
// The same code serves both ends; the form is documented so others can check a journal without it.
public static class JournalChain
{
    public const string Format = "orchestrator-node-journal/v1";

    // prev_hash of the first entry: there is nothing before it.
    public static readonly string Genesis = new('0', 64);

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    // Times are signed as UTC with milliseconds, the precision the node keeps (JournalChain.Truncate).
    public static string TimeText(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    // The object whose canonical JSON is hashed and signed: every field of the entry but hash and signature, plus format.
    public static JsonObject Payload(JournalEntry entry) => new()
    {
        ["format"] = Format,
        // A double: the canonical writer prints numbers as ECMAScript does (exact for any sequence below 2^53).
        ["sequence"] = (double)entry.Sequence,
        ["time"] = TimeText(entry.Time),
        ["kind"] = entry.Kind,
        ["agent_id"] = entry.AgentId,
        ["detail"] = entry.Detail,
        ["last_contact"] = entry.LastContact is { } contact ? TimeText(contact) : null,
        ["prev_hash"] = entry.PrevHash,
    };

    public static byte[] CanonicalBytes(JournalEntry entry) => CanonicalJson.Bytes(Payload(entry));

    public static string HashOf(JournalEntry entry) => Convert.ToHexStringLower(SHA256.HashData(CanonicalBytes(entry)));

    // The next entry after (previousSequence, previousHash), hashed and signed with the node's key.
    public static JournalEntry Append(Key key, long previousSequence, string previousHash, DateTimeOffset time, string kind, string? agentId,
        string detail, DateTimeOffset? lastContact)
    {
        var entry = new JournalEntry(previousSequence + 1, Truncate(time), kind, agentId, detail,
            lastContact is { } contact ? Truncate(contact) : null, previousHash, null, null);
        var bytes = CanonicalBytes(entry);
        return entry with
        {
            Hash = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Signature = Convert.ToBase64String(Algorithm.Sign(key, bytes)),
        };
    }

    public static Key NewKey() => Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public static Key ImportPrivateKey(byte[] raw) =>
        Key.Import(Algorithm, raw, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    public static string PublicKeyText(Key key) => Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    // Null when the text is not a base64 Ed25519 public key of 32 bytes.
    public static PublicKey? TryImportPublicKey(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            var raw = Convert.FromBase64String(text.Trim());
            return raw.Length == 32 && PublicKey.TryImport(Algorithm, raw, KeyBlobFormat.RawPublicKey, out var key) ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // Checks that entries continue the chain the reader holds (its last entry: ackedSequence, ackedHash): each in
    // sequence, each holding the previous entry's hash, each hash matching its content, each signed by the node's key.
    // Null when they do; else the first break, worded for the audit log and the tampering answer.
    public static JournalBreak? Verify(PublicKey key, long ackedSequence, string ackedHash, IReadOnlyList<JournalEntry> entries)
    {
        var (sequence, hash) = (ackedSequence, ackedHash);
        foreach (var entry in entries)
        {
            if (entry.Sequence != sequence + 1)
                return new(entry.Sequence, entry.Sequence <= sequence
                    ? $"entry {entry.Sequence} comes after entry {sequence}: an entry was reordered, or the journal was replaced"
                    : $"entry {entry.Sequence} follows entry {sequence}: entries {sequence + 1} to {entry.Sequence - 1} were removed");
            if (!string.Equals(entry.PrevHash, hash, StringComparison.Ordinal))
                return new(entry.Sequence, $"entry {entry.Sequence} does not hold the hash of entry {sequence}: an earlier entry was edited, removed or replaced");
            byte[] bytes;
            try
            {
                bytes = CanonicalBytes(entry);
            }
            catch (ArgumentException ex)
            {
                return new(entry.Sequence, $"entry {entry.Sequence} cannot be put in canonical form: {ex.Message}");
            }
            var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(entry.Hash, actual, StringComparison.Ordinal))
                return new(entry.Sequence, $"entry {entry.Sequence} does not match its hash: it was edited after it was written");
            if (!VerifySignature(key, bytes, entry.Signature))
                return new(entry.Sequence, $"entry {entry.Sequence} is not signed by this node's journal key");
            (sequence, hash) = (entry.Sequence, actual);
        }
        return null;
    }

    private static bool VerifySignature(PublicKey key, byte[] bytes, string? signature)
    {
        if (string.IsNullOrEmpty(signature)) return false;
        try
        {
            return Algorithm.Verify(key, bytes, Convert.FromBase64String(signature));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

// Where a journal's chain breaks: the entry's sequence and what is wrong with it.
public sealed record JournalBreak(long Sequence, string Reason);
