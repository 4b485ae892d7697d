using System.Globalization;

namespace Orchestrator.Manager.Redis;

// The container listing's next_cursor: one unsigned number, so the API's contract (a number, "0" = start and
// end) stays as it was before sharding. The low byte is the shard being scanned, the rest that shard's SSCAN
// cursor. Start (shard 0, cursor 0) and end (past the last shard) are both "0".
public static class ShardCursor
{
    private const int ShardBits = 8;

    public static (int Shard, ulong ScanCursor) Parse(string cursor)
    {
        var value = ulong.Parse(cursor, CultureInfo.InvariantCulture);
        return ((int)(value & ((1UL << ShardBits) - 1)), value >> ShardBits);
    }

    public static string Format(int shard, ulong scanCursor) => shard >= ContainerShards.Count
        ? "0"
        : ((scanCursor << ShardBits) | (uint)shard).ToString(CultureInfo.InvariantCulture);
}
