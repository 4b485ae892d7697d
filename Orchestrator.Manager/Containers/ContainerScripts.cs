using StackExchange.Redis;

namespace Orchestrator.Manager.Containers;

// Each write is one Lua script: one round trip, and atomic against concurrent registrations,
// heartbeats, deletes and liveness sweeps from any replica. Every key a script touches comes in as a
// RedisKey parameter (LuaScript sends those as KEYS) or, for the scripts over a variable number of
// containers, as KEYS directly; no script builds a key name (see RedisKeys, RedisScriptTests).
// Scripts run by EVALSHA: StackExchange.Redis loads each one once per server and then sends its hash.
internal static class ContainerScripts
{
    // Moves one container's weight between the status buckets of the totals hash (see RedisKeys).
    internal const string Totals = """
        local function bucket(totals, status, count, max, active)
          if not status then return end
          if count ~= 0 then redis.call('HINCRBY', totals, 'count:' .. status, count) end
          if max ~= 0 then redis.call('HINCRBY', totals, 'max:' .. status, max) end
          if active ~= 0 then redis.call('HINCRBY', totals, 'active:' .. status, active) end
        end
        local function weight(key)
          local v = redis.call('HMGET', key, 'status', 'max_agents', 'active_agents')
          return v[1], tonumber(v[2]) or 0, tonumber(v[3]) or 0
        end

        """;

    // Expected: the id the caller read for this name ('' = none). When the name maps to another id by
    // now, nothing is written and { 'retry', current id or '' } tells the caller what to try next.
    // RequiredId and CredentialVersion ('' = any: admin and shared-password tokens): an enrolled node's
    // container must exist under that id with that credential version, else { 'revoked' } (revoked,
    // re-enrolled or deleted): such a node never creates a container.
    // Returns { id, 1 if created else 0 }.
    public sealed record RegisterArgs(
        RedisKey Names, RedisKey Ids, RedisKey Index, RedisKey Totals, RedisKey Container,
        string Name, string Id, string Expected, long Now, string Host, int Port,
        string Capabilities, string Resources, string Metadata, int MaxAgents, string RequiredId, string CredentialVersion);

    public static readonly LuaScript Register = LuaScript.Prepare(Totals + """
        local current = redis.call('HGET', @Names, @Name)
        if @RequiredId ~= '' then
          if current ~= @RequiredId or @Id ~= @RequiredId
            or redis.call('HGET', @Container, 'credential_version') ~= @CredentialVersion then return { 'revoked' } end
        end
        if (current or '') ~= @Expected then return { 'retry', current or '' } end
        local created = 0
        if not current then
          created = 1
          redis.call('HSET', @Names, @Name, @Id)
          redis.call('SADD', @Ids, @Id)
        end
        local before, before_max, active = weight(@Container)
        bucket(@Totals, before, -1, -before_max, -active)
        bucket(@Totals, 'healthy', 1, tonumber(@MaxAgents), active)
        redis.call('HSET', @Container, 'id', @Id, 'name', @Name, 'host', @Host, 'port', @Port,
          'capabilities', @Capabilities, 'resources', @Resources, 'metadata', @Metadata, 'max_agents', @MaxAgents,
          'status', 'healthy', 'last_heartbeat', @Now)
        if created == 0 then redis.call('HINCRBY', @Container, 'reconnects', 1) end
        if created == 1 then
          redis.call('HSET', @Container, 'registered_at', @Now, 'health_score', '100', 'active_agents', '0',
            'assigned_agents', '0', 'generation', '0')
        end
        redis.call('ZADD', @Index, @Now, @Id)
        return { @Id, created }
        """);

    // Agents: '' = not sent. RequiredName: '' = any. RoundTripMs: '' = not sent. Failures: -1 = not sent.
    // CredentialVersion: '' = any (admin and shared-password tokens).
    // Returns the status before, or 'missing' / 'forbidden' / 'revoked'.
    public sealed record HeartbeatArgs(
        RedisKey Container, RedisKey Index, RedisKey Totals, string Id, long Now, double HealthScore, int ActiveAgents,
        string Usage, string Agents, string RequiredName, string RoundTripMs, long Failures, string CredentialVersion,
        string NodeVersion = "", string ProtocolVersion = "");

    public static readonly LuaScript Heartbeat = LuaScript.Prepare(Totals + """
        if redis.call('EXISTS', @Container) == 0 then return 'missing' end
        if @RequiredName ~= '' and redis.call('HGET', @Container, 'name') ~= @RequiredName then return 'forbidden' end
        if @CredentialVersion ~= '' and redis.call('HGET', @Container, 'credential_version') ~= @CredentialVersion then return 'revoked' end
        local before, max, active = weight(@Container)
        local now_active = tonumber(@ActiveAgents)
        if before == 'healthy' then
          bucket(@Totals, 'healthy', 0, 0, now_active - active)
        else
          bucket(@Totals, before, -1, -max, -active)
          bucket(@Totals, 'healthy', 1, max, now_active)
        end
        local fields = { 'last_heartbeat', @Now, 'health_score', @HealthScore, 'active_agents', @ActiveAgents, 'usage', @Usage, 'status', 'healthy' }
        -- issue 27: a node upgraded in place (same credential, new binary) shows its new build at its next beat. Only
        -- the versions it sends are written, folded into this one HSET, so the hot path makes no extra call.
        if @NodeVersion ~= '' then fields[#fields + 1] = 'node_version'; fields[#fields + 1] = @NodeVersion end
        if @ProtocolVersion ~= '' then fields[#fields + 1] = 'protocol_version'; fields[#fields + 1] = @ProtocolVersion end
        redis.call('HSET', @Container, unpack(fields))
        if @Agents ~= '' then redis.call('HSET', @Container, 'reported_agents', @Agents) end
        redis.call('HINCRBY', @Container, 'heartbeats', 1)
        if @RoundTripMs ~= '' then redis.call('HSET', @Container, 'round_trip_ms', @RoundTripMs) end
        if tonumber(@Failures) >= 0 then redis.call('HSET', @Container, 'failures', @Failures) end
        redis.call('ZADD', @Index, @Now, @Id)
        return before
        """);

    // Returns 1 if it existed.
    public sealed record DeleteArgs(RedisKey Container, RedisKey Names, RedisKey Ids, RedisKey Index, RedisKey Totals, string Id);

    public static readonly LuaScript Delete = LuaScript.Prepare(Totals + """
        local name = redis.call('HGET', @Container, 'name')
        if not name then return 0 end
        local before, max, active = weight(@Container)
        bucket(@Totals, before, -1, -max, -active)
        if redis.call('HGET', @Names, name) == @Id then redis.call('HDEL', @Names, name) end
        redis.call('DEL', @Container)
        redis.call('SREM', @Ids, @Id)
        redis.call('ZREM', @Index, @Id)
        return 1
        """);

    // KEYS: 1 heartbeat index, 2 totals, then the container hash of each id in ARGV[1].
    // ARGV[1]: SweepArgs as JSON. The caller read the ids whose last heartbeat looked older than the first
    // threshold; the status is recomputed from each hash's own last_heartbeat, so a heartbeat that lands
    // in between always wins. A container turning lost gets lost_at (now): rescheduling counts from it
    // (only while status is lost). Returns a flat list { id, new status, ... } of the transitions made.
    public const string Sweep = Totals + """
        local a = cjson.decode(ARGV[1])
        local now = tonumber(a.now)
        local unhealthy_after = tonumber(a.unhealthy_after)
        local lost_after = tonumber(a.lost_after)
        local changed = {}
        for i, id in ipairs(a.ids) do
          local key = KEYS[2 + i]
          local last = tonumber(redis.call('HGET', key, 'last_heartbeat'))
          if not last then
            redis.call('ZREM', KEYS[1], id)
          else
            local age = now - last
            local target = nil
            if age > lost_after then target = 'lost' elseif age > unhealthy_after then target = 'unhealthy' end
            local status = redis.call('HGET', key, 'status')
            if target and status ~= target and not (status == 'lost' and target == 'unhealthy') then
              local _, max, active = weight(key)
              bucket(KEYS[2], status, -1, -max, -active)
              bucket(KEYS[2], target, 1, max, active)
              redis.call('HSET', key, 'status', target)
              if target == 'lost' then redis.call('HSET', key, 'lost_at', a.now) end
              table.insert(changed, id)
              table.insert(changed, target)
            end
          end
        end
        return changed
        """;

    // KEYS: container hashes, all of one shard (one slot). ARGV: the fields to read. Returns each hash's HMGET,
    // in KEYS order (all nil for a hash that is gone). One call reads a shard's batch where one HMGET per
    // container cost the client a message each: 10,000 per fleet snapshot or distribution read.
    public const string ReadFields = """
        local out = {}
        for i = 1, #KEYS do
          local key = KEYS[i]
          out[i] = redis.call('HMGET', key, unpack(ARGV))
        end
        return out
        """;

    // Deletes the node's credential and bumps its version (every token it holds stops at its next call), marks
    // it revoked and takes it out of the liveness index; lost_at (Now, ms) starts the on_cluster_loss clock as for
    // a lost container. Returns 1, or 0 when missing.
    public sealed record RevokeArgs(RedisKey Container, RedisKey Index, RedisKey Totals, string Id, long Now);

    public static readonly LuaScript Revoke = LuaScript.Prepare(Totals + """
        if redis.call('EXISTS', @Container) == 0 then return 0 end
        local before, max, active = weight(@Container)
        bucket(@Totals, before, -1, -max, -active)
        bucket(@Totals, 'revoked', 1, max, active)
        redis.call('HDEL', @Container, 'credential_hash')
        redis.call('HINCRBY', @Container, 'credential_version', 1)
        redis.call('HSET', @Container, 'status', 'revoked')
        if before ~= 'revoked' then redis.call('HSET', @Container, 'lost_at', @Now) end
        redis.call('ZREM', @Index, @Id)
        return 1
        """);
}
