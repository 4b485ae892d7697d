using System.Net.Http.Json;
using System.Reflection;
using System.Text.RegularExpressions;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Migrations;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// Redis Cluster routes a script by its KEYS and refuses keys it was not given: every key a script touches
// must come in through KEYS, never be built from ARGV or by concatenation. A static check over every
// script of the manager (found by reflection, so a new script is checked without being listed here).
[Trait(TestLevel.Name, TestLevel.Unit)]
public partial class RedisScriptTests
{
    private static readonly Assembly Manager = typeof(RedisKeys).Assembly;

    // Commands whose first argument is a key (every one the scripts use but PUBLISH, whose is a channel).
    private static readonly HashSet<string> KeyCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "GET", "SET", "DEL", "EXISTS", "INCR", "PEXPIRE", "PEXPIREAT", "PTTL", "RENAME", "HGET", "HMGET", "HSET", "HDEL", "HINCRBY", "HVALS",
        "HGETALL", "HEXISTS", "SADD", "SREM", "SCARD", "SISMEMBER", "SMEMBERS", "ZADD", "ZREM", "ZRANGEBYSCORE", "ZSCORE",
    };

    public sealed record Script(string Name, string Source, Type? Parameters);

    public static TheoryData<string> ScriptNames() => new(AllScripts().Select(s => s.Name));

    [Fact]
    public void EveryScriptOfTheManagerIsFound()
    {
        var names = AllScripts().Select(s => s.Name).ToList();

        // The scripts this check was written against; more may come, none may disappear unseen.
        Assert.Superset(new HashSet<string>(
        [
            "ContainerScripts.Register", "ContainerScripts.Heartbeat", "ContainerScripts.Delete", "ContainerScripts.Sweep",
            "AgentScripts.Reserve", "AgentScripts.Commit", "AgentScripts.Remove", "AgentScripts.Desired", "AgentScripts.Report",
            "RescheduleScripts.MoveOut", "RescheduleScripts.Point", "EnrollmentScripts.Use", "EnrollmentScripts.Refund",
            "EnrollmentScripts.Register", "LeaderLease.AcquireScript", "LeaderLease.ReleaseScript", "LoginRateLimiter.Script",
            "RedisLayout.MoveContainer",
        ]), names.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(ScriptNames))]
    public void ScriptTouchesOnlyKeysItIsGiven(string name)
    {
        var script = AllScripts().Single(s => s.Name == name);

        Assert.Empty(Violations(script));
    }

    [Fact]
    public void TheCheckCatchesAKeyBuiltFromArgv()
    {
        // The shape the scripts had before: a key made of a prefix argument and an id read from a hash.
        var built = new Script("built", """
            local id = redis.call('HGET', KEYS[1], ARGV[2])
            local key = ARGV[1] .. id
            redis.call('HSET', key, 'name', ARGV[2])
            redis.call('HINCRBY', ARGV[1] .. id .. ':desired', 'x', 1)
            """, null);
        var named = new Script("named", """
            redis.call('HSET', @Name, 'x', @Container)
            """, typeof(NamedValueUsedAsKey));

        var violations = Violations(built);
        Assert.Contains(violations, v => v.Contains("redis.call('HSET', key, ...)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("redis.call('HINCRBY', ARGV[1] .. id .. ':desired', ...)", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("concatenation: 'ARGV[1] ..'", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Contains("other than through its one packed argument", StringComparison.Ordinal));
        Assert.Equal(["named: redis.call('HSET', @Name, ...) uses a key it was not given"], Violations(named));
    }

    [Fact]
    public void NoManagerCodeButRedisKeysSpellsAKeyName()
    {
        var manager = Path.Combine(RepoPaths.Root, "Orchestrator.Manager");
        var offenders = Directory.EnumerateFiles(manager, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.EndsWith(Path.Combine("Redis", "RedisKeys.cs"), StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f) is var text && (text.Contains("\"orchestrator:", StringComparison.Ordinal) || text.Contains("RedisKeys.Prefix", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(manager, f))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void AContainersKeysAndItsShardsIndexesShareOneSlot()
    {
        const string id = "ctr-0123456789abcdef";
        var shard = ContainerShards.Of(id);
        var slot = Slot(RedisKeys.Container(id).ToString());

        Assert.Matches(@"^orchestrator:container:\{s\d+\.\d+\}:ctr-0123456789abcdef$", RedisKeys.Container(id).ToString());
        Assert.Equal(slot, Slot(RedisKeys.DesiredAgents(id).ToString()));
        Assert.Equal(slot, Slot(RedisKeys.ContainerChanged(id).ToString()));
        Assert.Equal(slot, Slot(RedisKeys.ContainerIds(shard).ToString()));
        Assert.Equal(slot, Slot(RedisKeys.ContainerNames(shard).ToString()));
        Assert.Equal(slot, Slot(RedisKeys.HeartbeatIndex(shard).ToString()));
        Assert.Equal(slot, Slot(RedisKeys.ContainerTotals(shard).ToString()));
        Assert.Equal(id, RedisKeys.ContainerIdFromChannel(RedisKeys.ContainerChanged(id).ToString()));
        Assert.NotEqual(shard, ContainerShards.Of("ctr-fedcba9876543210"));
        Assert.NotEqual(slot, Slot(RedisKeys.Container("ctr-fedcba9876543210").ToString()));
    }

    [Fact]
    public void AnAgentsHashAndItsIndexShardShareOneSlotAndAContainersReportsAndOutgoingMovesShareItsSlot()
    {
        const string agent = "agt-0123456789abcdef";
        const string id = "ctr-0123456789abcdef";

        Assert.Equal(Slot(RedisKeys.Agent(agent).ToString()), Slot(RedisKeys.AgentIdsOf(agent).ToString()));
        Assert.Equal(Slot(RedisKeys.AgentIds(ContainerShards.Of(agent)).ToString()), Slot(RedisKeys.Agent(agent).ToString()));
        Assert.Equal(Slot(RedisKeys.Container(id).ToString()), Slot(RedisKeys.Reports(id).ToString()));
        Assert.Equal(Slot(RedisKeys.Container(id).ToString()), Slot(RedisKeys.Outgoing(id).ToString()));
        Assert.Equal(Slot(RedisKeys.Container(id).ToString()), Slot(RedisKeys.Reservations(id).ToString()));
        Assert.Equal(Slot(RedisKeys.EnrollmentTokens.ToString()), Slot(RedisKeys.EnrollmentToken(new string('a', 64)).ToString()));
        // Agents spread over the shards like containers.
        var shards = Enumerable.Range(0, 2000).Select(i => ContainerShards.Of($"agt-{i:x16}")).Distinct().Count();
        Assert.True(shards > 200, $"2000 agent ids fell in only {shards} shards");
    }

    [Fact]
    public void EachShardsTagFallsInItsOwnSliceOfTheSlotsSoShardsSpreadEvenlyOverMasters()
    {
        var slots = ContainerShards.All.Select(shard => Slot(RedisKeys.ContainerIds(shard).ToString())).ToList();

        Assert.Equal(256, slots.Distinct().Count());
        Assert.All(ContainerShards.All, shard => Assert.Equal(shard, slots[shard] / 64));
        // Three masters as redis-cli --cluster create splits the slots: 85 or 86 shards each.
        var perMaster = slots.GroupBy(s => s * 3 / 16384).Select(g => g.Count()).ToList();
        Assert.All(perMaster, count => Assert.InRange(count, 85, 86));
    }

    [Theory]
    [InlineData("edge-eu-1")]
    [InlineData("a")]
    [InlineData("node-with-a-much-longer-name-0042")]
    public void ANewContainerIdIsDrawnInTheShardOfItsName(string name)
    {
        var id = ContainerShards.NewIdFor(name);

        Assert.Matches("^ctr-[0-9a-f]{16}$", id);
        Assert.Equal(Slot(RedisKeys.ContainerNames(ContainerShards.Of(name)).ToString()), Slot(RedisKeys.Container(id).ToString()));
    }

    [Theory]
    [InlineData(0, 0UL, "0")]
    [InlineData(5, 0UL, "5")]
    [InlineData(0, 7UL, "1792")]
    [InlineData(255, 123456789UL, "31604938239")]
    [InlineData(256, 0UL, "0")]
    public void TheListingCursorCarriesTheShardAndItsScanCursor(int shard, ulong scan, string cursor)
    {
        Assert.Equal(cursor, ShardCursor.Format(shard, scan));
        if (shard < 256) Assert.Equal((shard, scan), ShardCursor.Parse(cursor));
    }

    [Fact]
    public void ThePerClientAndTheGlobalLoginFailureCountersShareOneSlot()
    {
        var everyone = Slot(RedisKeys.AllLoginFailures.ToString());

        Assert.Equal(everyone, Slot(RedisKeys.LoginFailures("203.0.113.9|0123456789abcdef").ToString()));
        Assert.Equal(everyone, Slot(RedisKeys.LoginFailures("2001:db8:1:2::/64|fedcba9876543210").ToString()));
    }

    private sealed record NamedValueUsedAsKey(string Name, RedisKey Container);

    // Every LuaScript field and every script constant (a string holding redis.call) in the manager.
    public static IReadOnlyList<Script> AllScripts() =>
        Manager.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Select(f => (Type: t, Field: f)))
            .Select(x => x.Field.FieldType == typeof(LuaScript)
                ? ((LuaScript)x.Field.GetValue(null)!) is var lua
                    ? new Script($"{x.Type.Name}.{x.Field.Name}", lua.OriginalScript, ParametersOf(x.Type, lua)) : null
                : x.Field is { IsLiteral: true } && x.Field.GetRawConstantValue() is string text && text.Contains("redis.call", StringComparison.Ordinal)
                    ? new Script($"{x.Type.Name}.{x.Field.Name}", text, null) : null)
            .OfType<Script>()
            .ToList();

    // A LuaScript's parameter object: the record beside it whose properties are exactly its @names, or else
    // the one record beside it that has them all (LeaderLease's release uses two of its lease's three).
    private static Type ParametersOf(Type declaring, LuaScript script)
    {
        var names = NamedParameter().Matches(script.OriginalScript).Select(m => m.Groups[1].Value).Distinct().ToList();
        var records = declaring.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic)
            .Where(t => names.All(a => t.GetProperty(a) is not null)).ToList();
        return records.SingleOrDefault(t => t.GetProperties().Length == names.Count) ?? records.Single();
    }

    // What in a script's source lets a key in that did not come through KEYS.
    public static IReadOnlyList<string> Violations(Script script)
    {
        var source = LuaComment().Replace(script.Source, "");
        var keyParameters = script.Parameters?.GetProperties().Where(p => p.PropertyType == typeof(RedisKey)).Select(p => "@" + p.Name).ToHashSet()
            ?? new HashSet<string>();
        // Locals bound to a key: only ever assigned KEYS[...] or a key parameter.
        var keyLocals = LocalAssignment().Matches(source).GroupBy(m => m.Groups["name"].Value)
            .Where(g => g.All(m => IsKeyExpression(m.Groups["value"].Value.Trim(), keyParameters, new HashSet<string>())))
            .Select(g => g.Key).ToHashSet();
        var otherLocals = LocalAssignment().Matches(source).Select(m => m.Groups["name"].Value).Where(n => !keyLocals.Contains(n)).ToHashSet();
        // Parameters of the script's own helper functions (weight(key), bucket(totals, ...)): checked at their call sites.
        var helperParameters = LocalFunction().Matches(source)
            .SelectMany(m => m.Groups["params"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(p => !otherLocals.Contains(p)).ToHashSet();
        var helpers = LocalFunction().Matches(source).Select(m => m.Groups["name"].Value).ToHashSet();

        var violations = new List<string>();
        foreach (Match call in RedisCall().Matches(source))
        {
            if (!KeyCommands.Contains(call.Groups["command"].Value)) continue;
            var arguments = SplitArguments(source, call.Index + call.Length);
            var keyCount = call.Groups["command"].Value.Equals("RENAME", StringComparison.OrdinalIgnoreCase) ? 2 : 1;
            foreach (var key in arguments.Take(keyCount))
            {
                if (!IsKeyExpression(key, keyParameters, keyLocals) && !helperParameters.Contains(key))
                    violations.Add($"{script.Name}: redis.call('{call.Groups["command"].Value}', {key}, ...) uses a key it was not given");
            }
        }
        foreach (var helper in helpers)
        {
            foreach (Match call in Regex.Matches(source, $@"(?<!function\s){Regex.Escape(helper)}\("))
            {
                var key = SplitArguments(source, call.Index + call.Length).FirstOrDefault() ?? "";
                if (!IsKeyExpression(key, keyParameters, keyLocals) && !helperParameters.Contains(key))
                    violations.Add($"{script.Name}: {helper}({key}, ...) passes a key it was not given");
            }
        }
        foreach (Match concat in KeyConcatenation().Matches(source))
            violations.Add($"{script.Name}: builds a name by concatenation: '{concat.Value.Trim()}'");
        if (script.Parameters is not null && source.Contains("ARGV[", StringComparison.Ordinal))
            violations.Add($"{script.Name}: a script with named parameters reads ARGV by position");
        if (script.Parameters is null && ArgvUse().Matches(source).Any(m => m.Value != "cjson.decode(ARGV[1])"))
            violations.Add($"{script.Name}: reads ARGV other than through its one packed argument, cjson.decode(ARGV[1])");
        return violations;
    }

    private static bool IsKeyExpression(string expression, IReadOnlySet<string> keyParameters, IReadOnlySet<string> keyLocals) =>
        KeysIndex().IsMatch(expression) || keyParameters.Contains(expression) || keyLocals.Contains(expression);

    // The comma-separated arguments after an opening parenthesis, up to its closing one (brackets nest).
    private static List<string> SplitArguments(string source, int start)
    {
        var arguments = new List<string>();
        var depth = 0;
        var from = start;
        for (var i = start; i < source.Length; i++)
        {
            var c = source[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}' && depth > 0) depth--;
            else if (c == ')' || (c == ',' && depth == 0))
            {
                arguments.Add(source[from..i].Trim());
                from = i + 1;
                if (c == ')') break;
            }
        }
        return arguments;
    }

    // CRC16 (XMODEM) of the hash tag or whole key, mod 16384: the Redis Cluster slot.
    private static int Slot(string key)
    {
        var open = key.IndexOf('{');
        if (open >= 0 && key.IndexOf('}', open + 1) is var close and > 0 && close > open + 1) key = key[(open + 1)..close];
        ushort crc = 0;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(key))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++) crc = (ushort)((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
        }
        return crc % 16384;
    }

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex LuaComment();

    [GeneratedRegex(@"redis\.call\(\s*'(?<command>[A-Za-z]+)'\s*,")]
    private static partial Regex RedisCall();

    [GeneratedRegex(@"^\s*local\s+(?<name>[A-Za-z_]\w*)\s*=\s*(?<value>[^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex LocalAssignment();

    [GeneratedRegex(@"local\s+function\s+(?<name>\w+)\s*\((?<params>[^)]*)\)")]
    private static partial Regex LocalFunction();

    [GeneratedRegex(@"(?<![\w@])@([A-Za-z_]\w*)")]
    private static partial Regex NamedParameter();

    [GeneratedRegex(@"^KEYS\[[^\]]+\]$")]
    private static partial Regex KeysIndex();

    // A KEYS/ARGV element or a named parameter on either side of Lua's '..'.
    [GeneratedRegex(@"(KEYS\[[^\]]+\]|ARGV\[[^\]]+\]|@\w+)\s*\.\.|\.\.\s*(KEYS\[|ARGV\[|@\w+)")]
    private static partial Regex KeyConcatenation();

    [GeneratedRegex(@"(cjson\.decode\()?ARGV\[[^\]]+\]\)?")]
    private static partial Regex ArgvUse();
}

// The heartbeat path stays one EVALSHA: StackExchange.Redis sends each script once, then only its hash.
[Trait(TestLevel.Name, TestLevel.Api)]
public class RedisScriptShaTests
{
    [Fact]
    public async Task HeartbeatsRunTheirScriptByShaNotBySource()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();
        var id = await admin.RegisterIdAsync(Registrations.UniqueName());
        var before = await CallsAsync(redis);

        for (var i = 0; i < 20; i++)
            (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id))).EnsureSuccessStatusCode();

        var after = await CallsAsync(redis);
        // The first heartbeat sends the script itself (EVAL), every later one only its SHA.
        Assert.True(after.Eval - before.Eval <= 1, $"EVAL (whole script) calls {before.Eval} -> {after.Eval}");
        Assert.Equal(20, after.Eval - before.Eval + after.EvalSha - before.EvalSha);
    }

    private static async Task<(long Eval, long EvalSha)> CallsAsync(RedisHost redis)
    {
        var stats = await redis.InfoAsync("commandstats");
        static long Calls(string? line) => line is null ? 0 : long.Parse(line.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (Calls(stats.GetValueOrDefault("cmdstat_eval")), Calls(stats.GetValueOrDefault("cmdstat_evalsha")));
    }
}
