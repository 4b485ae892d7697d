using System.Globalization;
using System.Text;

namespace Orchestrator.Manager.Redis;

// The container registry is split into a fixed number of shards so that Redis Cluster can spread it over its
// masters, and so that every script on one container stays in one slot: a shard's indexes (ids, by-name,
// by-heartbeat, totals) and the keys of every container in it share the shard's hash tag.
//
// A container's shard comes from its id, a name's from the name, both the same way: the id's (or name's)
// own Redis Cluster slot, scaled down to Count shards. The manager gives a new container an id in the shard
// of its name, so a registration checks the name and writes the container in one slot.
//
// Each shard's tag is the first "s<shard>.<n>" whose slot falls in the shard's own slice of the 16384 slots:
// shard k owns slots [k*64, k*64+64). `redis-cli --cluster create` and every managed offering give masters
// contiguous slot ranges, so the shards spread over any number of masters up to Count as evenly as slots do.
// The tags are part of the key layout: changing Count or the tag rule needs a new RedisKeys.LayoutVersion.
public static class ContainerShards
{
    public const int Count = 256;

    public const int Slots = 16384;

    private const int SlotsPerShard = Slots / Count;

    private static readonly string[] Tags = Enumerable.Range(0, Count).Select(FindTag).ToArray();

    public static IEnumerable<int> All => Enumerable.Range(0, Count);

    public static int Of(string idOrName) => Slot(idOrName) / SlotsPerShard;

    // The hash tag's content, without braces.
    public static string Tag(int shard) => Tags[shard];

    // A fresh container id ("ctr-" and 16 hex digits) in the shard of the given container name: 256 draws
    // on average, each a Guid and a CRC16 of 20 bytes (microseconds in all).
    public static string NewIdFor(string name)
    {
        var shard = Of(name);
        while (true)
        {
            var id = "ctr-" + Guid.NewGuid().ToString("N")[..16];
            if (Of(id) == shard) return id;
        }
    }

    // The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag (the first non-empty {...}) or of the
    // whole key, mod 16384.
    public static int Slot(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1) key = key[(open + 1)..close];
        }
        ushort crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++) crc = (ushort)((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
        }
        return crc % Slots;
    }

    private static string FindTag(int shard)
    {
        for (var n = 0; ; n++)
        {
            var tag = string.Create(CultureInfo.InvariantCulture, $"s{shard}.{n}");
            if (Slot(tag) / SlotsPerShard == shard) return tag;
        }
    }
}
