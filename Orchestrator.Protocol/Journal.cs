namespace Orchestrator.Protocol;

// The node's journal on the wire (docs/protocol.md "The node's journal"): what a node decided on its own (restart after
// a crash, fence, adopt, refuse, stop on a lock timeout), kept in an append-only, hash-chained file under DATA_DIR and
// uploaded after it reconnects. Each entry holds the previous entry's hash and is signed with the node's journal key
// (Ed25519), whose public half the manager pinned at enrollment (or at the node's first upload).

// One entry. time: the node's clock when it decided; last_contact: when it last heard from the manager before that
// (null: not since it started), so time - last_contact is the gap the decision was made in. hash: lowercase hex
// SHA-256 of the canonical bytes (every field but hash and signature; see Signing/JournalChain); signature: base64
// Ed25519 over the same bytes. prev_hash of the first entry is 64 zeros.
public sealed record JournalEntry(
    long Sequence,
    DateTimeOffset Time,
    string? Kind,
    string? AgentId,
    string? Detail,
    DateTimeOffset? LastContact,
    string? PrevHash,
    string? Hash,
    string? Signature);

// POST /api/v1/cluster/containers/{id}/journal (the node itself): the entries after the manager's acked_sequence, in
// order. public_key: the node's journal key (base64, 32 bytes), pinned by the manager when it holds none yet.
public sealed record JournalUploadRequest(string? PublicKey, IReadOnlyList<JournalEntry>? Entries);

// GET and POST .../journal answer: the last entry the manager holds (0 and 64 zeros: none). accepted: entries stored
// by this call.
public sealed record JournalAck(string ContainerId, long AckedSequence, string AckedHash, int Accepted);

public static class JournalKinds
{
    // A crashed agent is started again (after its backoff).
    public const string Restart = "restart";
    // A reschedule agent is held out: its lease ran out without contact with the manager.
    public const string Fence = "fence";
    // A workload still running from before the node started is taken over, not restarted.
    public const string Adopt = "adopt";
    // A spec is refused (signature check): the agent is rejected and does not run.
    public const string Refuse = "refuse";
    // An agent is stopped because its update lock was held past its timeout.
    public const string LockTimeout = "lock_timeout";

    public static readonly IReadOnlyList<string> All = [Restart, Fence, Adopt, Refuse, LockTimeout];
}
