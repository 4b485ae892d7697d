using StackExchange.Redis;

namespace Orchestrator.Tests.Abuse;

// Every key and its whole value, read from a real redis-server, so a test can prove that a refused
// request changed nothing stored. TTLs are left out: they tick by themselves. Replica leases
// (`…:leases:…`) are left out too: the manager's own background loops take and renew them at any time.
public sealed record RedisSnapshot(IReadOnlyDictionary<string, string> Entries)
{
    public static async Task<RedisSnapshot> TakeAsync(string connectionString, Func<string, bool>? include = null)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        return await TakeAsync(redis, include);
    }

    public static async Task<RedisSnapshot> TakeAsync(IConnectionMultiplexer redis, Func<string, bool>? include = null)
    {
        var db = redis.GetDatabase();
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: "*", pageSize: 1000))
        {
            var name = key.ToString();
            if (name.Contains(":leases:", StringComparison.Ordinal)) continue;
            if (include is not null && !include(name)) continue;
            if (await ValueAsync(db, name) is { } value) entries[name] = value;
        }
        return new RedisSnapshot(entries);
    }

    // The whole snapshot as one text, so Assert.Equal shows the first key that differs.
    public override string ToString() => string.Join("\n", Entries.Select(e => $"{e.Key} {e.Value}"));

    // One key's whole value as text; null when the key does not exist.
    public static async Task<string?> ValueAsync(IDatabase db, string key) => await db.KeyTypeAsync(key) switch
    {
        RedisType.None => null,
        RedisType.String => "string:" + await db.StringGetAsync(key),
        RedisType.Hash => "hash:" + string.Join("\n", (await db.HashGetAllAsync(key)).Select(e => $"{e.Name}={e.Value}").Order(StringComparer.Ordinal)),
        RedisType.Set => "set:" + string.Join("\n", (await db.SetMembersAsync(key)).Select(v => v.ToString()).Order(StringComparer.Ordinal)),
        RedisType.SortedSet => "zset:" + string.Join("\n", (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element}={e.Score}")),
        RedisType.List => "list:" + string.Join("\n", (await db.ListRangeAsync(key)).Select(v => v.ToString())),
        var other => other.ToString(),
    };

    // The keys whose values differ, or that exist on one side only; empty when nothing changed.
    public IReadOnlyList<string> Differences(RedisSnapshot after) =>
        Entries.Keys.Union(after.Entries.Keys)
            .Where(key => Entries.GetValueOrDefault(key) != after.Entries.GetValueOrDefault(key))
            .Order(StringComparer.Ordinal).ToList();
}
