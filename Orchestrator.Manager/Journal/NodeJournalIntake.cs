using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Tenants;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Manager.Journal;

// Takes a node's journal upload (issue 29): checks that the entries continue the chain the manager holds (sequence,
// previous hash, content hash, signature by the node's pinned journal key), stores the new last entry, and records
// each entry in the audit log and the event stream as the node's own decision, with the node's clock and the gap it
// covers. A broken chain is never accepted in part: nothing is stored, it is audited as tampering (once per distinct
// break) and answered as a problem the node can read.
public sealed class NodeJournalIntake(NodeJournalStore store, AuditLog audit, EventLog events, ILogger<NodeJournalIntake> logger)
{
    public abstract record Outcome(JournalAck Ack)
    {
        public sealed record Accepted(JournalAck Ack) : Outcome(Ack);
        // 400: the first upload of a node with no pinned key carries none.
        public sealed record KeyMissing(JournalAck Ack) : Outcome(Ack);
        public sealed record Tampered(JournalAck Ack, long Sequence, string Reason) : Outcome(Ack);
    }

    public async Task<JournalAck> AckAsync(string containerId)
    {
        var state = await store.ReadAsync(containerId);
        return new JournalAck(containerId, state.AckedSequence, state.AckedHash, 0);
    }

    public async Task<Outcome> AcceptAsync(string containerId, CallerScope node, JournalUploadRequest upload)
    {
        var state = await store.ReadAsync(containerId);
        var ack = new JournalAck(containerId, state.AckedSequence, state.AckedHash, 0);
        if (state.PublicKey is null)
        {
            if (upload.PublicKey is null) return new Outcome.KeyMissing(ack);
            await store.PinKeyAsync(containerId, upload.PublicKey.Trim());
            state = await store.ReadAsync(containerId);
        }
        if (upload.PublicKey is { } sent && sent.Trim() != state.PublicKey)
            return await TamperedAsync(containerId, node, ack, 0, "the node signs with another journal key than the one the manager pinned: its journal key was replaced");
        var key = JournalChain.TryImportPublicKey(state.PublicKey)!;

        // A journal that ends before the entry the manager acknowledged lost entries (removed, or the file replaced).
        if (upload.Entries![^1].Sequence < state.AckedSequence)
            return await TamperedAsync(containerId, node, ack, upload.Entries[^1].Sequence,
                $"the node's journal ends at entry {upload.Entries[^1].Sequence}, before entry {state.AckedSequence} the manager acknowledged: entries were removed or the journal replaced");
        // Entries the manager holds already (a resend after a lost answer) are skipped; the last of them must still be
        // the entry the manager acknowledged, unchanged.
        var entries = upload.Entries!.Where(e => e.Sequence >= state.AckedSequence).ToList();
        if (state.AckedSequence > 0 && entries.FirstOrDefault() is { } anchor && anchor.Sequence == state.AckedSequence)
        {
            if (anchor.Hash != state.AckedHash || JournalChain.HashOf(anchor) != state.AckedHash)
                return await TamperedAsync(containerId, node, ack, anchor.Sequence,
                    $"entry {anchor.Sequence}, which the manager acknowledged, was changed since");
            entries.RemoveAt(0);
        }
        if (entries.Count == 0) return new Outcome.Accepted(ack);
        if (JournalChain.Verify(key, state.AckedSequence, state.AckedHash, entries) is { } broken)
            return await TamperedAsync(containerId, node, ack, broken.Sequence, broken.Reason);

        var last = entries[^1];
        // Another replica took the same batch first: it records the entries; this answer says what is held now.
        if (!await store.AdvanceAsync(containerId, state.AckedSequence, last.Sequence, last.Hash!)) return new Outcome.Accepted(await AckAsync(containerId));
        var tenant = node.DefaultTenant;
        foreach (var entry in entries)
        {
            var detail = entry.Detail ?? "";
            await audit.RecordAsync(node.Actor, node.Role, tenant, AuditActions.NodeDecision(entry.Kind ?? "unknown"), entry.AgentId ?? "",
                AuditOutcomes.Success, new NodeOrigin(entry.Time, entry.LastContact, entry.Sequence, detail));
            events.NodeDecision(containerId, tenant, entry.AgentId, entry.Kind ?? "unknown", detail,
                new NodeMark(entry.Time, entry.LastContact, entry.Sequence));
        }
        return new Outcome.Accepted(new JournalAck(containerId, last.Sequence, last.Hash!, entries.Count));
    }

    private async Task<Outcome> TamperedAsync(string containerId, CallerScope node, JournalAck ack, long sequence, string reason)
    {
        logger.LogWarning("The journal of container {ContainerId} is broken at entry {Sequence}: {Reason}", containerId, sequence, reason);
        if (await store.MarkTamperedAsync(containerId, reason))
        {
            await audit.RecordAsync(node.Actor, node.Role, node.DefaultTenant, AuditActions.NodeJournalTampered, containerId, AuditOutcomes.Refused,
                detail: reason);
            events.NodeJournalTampered(containerId, node.DefaultTenant, reason);
        }
        return new Outcome.Tampered(ack, sequence, reason);
    }
}
