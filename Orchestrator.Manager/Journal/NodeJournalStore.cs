using System.Globalization;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol.Signing;
using StackExchange.Redis;

namespace Orchestrator.Manager.Journal;

// What the manager holds of one node's journal (RedisKeys.NodeJournal, a hash beside the container): the node's
// pinned journal key, the last entry it accepted (sequence and hash) and the last break it recorded.
public sealed class NodeJournalStore(IConnectionMultiplexer redis)
{
    public sealed record State(string? PublicKey, long AckedSequence, string AckedHash, string? Tampered);

    private IDatabase Db => redis.GetDatabase();

    public async Task<State> ReadAsync(string containerId)
    {
        var values = await Db.HashGetAsync(RedisKeys.NodeJournal(containerId), [Fields.Key, Fields.Sequence, Fields.Hash, Fields.Tampered]);
        var sequence = long.TryParse((string?)values[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
        return new State((string?)values[0], sequence, (string?)values[2] ?? JournalChain.Genesis, (string?)values[3]);
    }

    // Pins the node's key unless one is pinned already (enrollment pins it; else the first upload does). True when
    // this call pinned it.
    public Task<bool> PinKeyAsync(string containerId, string publicKey) =>
        Db.HashSetAsync(RedisKeys.NodeJournal(containerId), Fields.Key, publicKey, When.NotExists);

    // Enrolling again (a node whose disk was lost) starts a new journal under the key it enrolled with.
    public Task ResetAsync(string containerId, string publicKey) => Db.HashSetAsync(RedisKeys.NodeJournal(containerId),
        [new(Fields.Key, publicKey), new(Fields.Sequence, 0), new(Fields.Hash, JournalChain.Genesis), new(Fields.Tampered, RedisValue.EmptyString)]);

    // Moves the acknowledged entry from `from` to `to` only if no other upload moved it meanwhile (two replicas
    // taking the same resent batch): false then, and the caller stores nothing of its batch.
    public async Task<bool> AdvanceAsync(string containerId, long fromSequence, long toSequence, string toHash) =>
        (int)await Advance.EvaluateAsync(Db, new AdvanceArgs(RedisKeys.NodeJournal(containerId), fromSequence, toSequence, toHash)) == 1;

    // Journal: the node's journal hash; From: the sequence the caller read; To, Hash: the new last entry.
    private sealed record AdvanceArgs(RedisKey Journal, long From, long To, string Hash);

    private static readonly LuaScript Advance = LuaScript.Prepare("""
        if (tonumber(redis.call('HGET', @Journal, 'acked_sequence')) or 0) ~= tonumber(@From) then return 0 end
        redis.call('HSET', @Journal, 'acked_sequence', @To, 'acked_hash', @Hash, 'tampered', '')
        return 1
        """);

    // Records a break; true when it differs from the last one recorded (so the same resent journal is audited once).
    public async Task<bool> MarkTamperedAsync(string containerId, string reason)
    {
        var key = RedisKeys.NodeJournal(containerId);
        var before = (string?)await Db.HashGetAsync(key, Fields.Tampered);
        if (before == reason) return false;
        await Db.HashSetAsync(key, Fields.Tampered, reason);
        return true;
    }

    private static class Fields
    {
        public const string Key = "key";
        public const string Sequence = "acked_sequence";
        public const string Hash = "acked_hash";
        public const string Tampered = "tampered";
    }
}
