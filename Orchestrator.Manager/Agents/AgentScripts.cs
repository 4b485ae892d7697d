using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Placement (reserve and commit, one script per container), removal and reports are each Lua scripts: atomic
// against every other manager replica, so concurrent deploys can never push a container past max_agents. Every key comes in through KEYS
// (RedisKey parameters of the fixed-size scripts, or the KEYS list of the ones over n agents); channels
// are passed as values. No script builds a key or channel name (see RedisKeys).
internal static class AgentScripts
{
    // Capacity a container's live reservations hold (see Reserve); drops the expired ones, left by a manager
    // that died between reserving and committing, so their capacity comes back by itself.
    internal const string Held = """
        local function held(reservations, now)
          local total = 0
          local entries = redis.call('HGETALL', reservations)
          for i = 1, #entries, 2 do
            local count, expires = string.match(entries[i + 1], '^(%d+):(%d+)$')
            if tonumber(expires) <= now then redis.call('HDEL', reservations, entries[i]) else total = total + tonumber(count) end
          end
          return total
        end

        """;

    // Placement is one script per container, so replicas on containers in different Redis Cluster slots
    // are placed without a multi-slot script. Step 1 (only when a deploy spans several containers): hold
    // Count slots on one container under ReservationId until ExpiresAt (unix ms). The check counts agents
    // assigned and every live reservation, so holds never add up past max_agents. Entry: "count:expires".
    // Required: JSON array of the capabilities the agent type needs, checked here against the container's
    // own, so a stale plan can never place where a capability is missing.
    // Returns 'ok', 'unavailable' (gone or not healthy), 'unsupported' or 'full'.
    public sealed record ReserveArgs(
        RedisKey Container, RedisKey Reservations, string ReservationId, string Entry, long Count, long Now, long ExpiresAt, string Required);

    public static readonly LuaScript Reserve = LuaScript.Prepare(Held + """
        local v = redis.call('HMGET', @Container, 'status', 'assigned_agents', 'max_agents', 'capabilities')
        if v[1] ~= 'healthy' then return 'unavailable' end
        local offered = {}
        for _, c in ipairs(cjson.decode(v[4] or '[]')) do offered[c] = true end
        for _, c in ipairs(cjson.decode(@Required)) do if not offered[c] then return 'unsupported' end end
        if (tonumber(v[2]) or 0) + held(@Reservations, tonumber(@Now)) + tonumber(@Count) > (tonumber(v[3]) or 0) then return 'full' end
        redis.call('HSET', @Reservations, @ReservationId, @Entry)
        redis.call('PEXPIREAT', @Reservations, @ExpiresAt)
        return 'ok'
        """);

    // Step 2, after the agents' hashes are written: put the agents into one container's desired set. KEYS: 1 the
    // container hash, 2 its reservations, 3 its desired set. ARGV[1]: CommitArgs as JSON. With a live reservation
    // (reservation: its id, '' = none) the capacity is already held; without one (a single-container deploy, or a
    // reservation that expired) the script checks status, capability and capacity itself, as Reserve does.
    // Returns 'ok', 'unavailable', 'unsupported' or 'full' (nothing written).
    public const string Commit = Held + """
        local a = cjson.decode(ARGV[1])
        local now = tonumber(a.now)
        local n = #a.agents
        local v = redis.call('HMGET', KEYS[1], 'status', 'assigned_agents', 'max_agents', 'capabilities')
        if not v[1] then return 'unavailable' end
        local holds = false
        local entry = a.reservation ~= '' and redis.call('HGET', KEYS[2], a.reservation)
        if entry then
          redis.call('HDEL', KEYS[2], a.reservation)
          local count, expires = string.match(entry, '^(%d+):(%d+)$')
          holds = tonumber(expires) > now and tonumber(count) == n
        end
        if not holds then
          if v[1] ~= 'healthy' then return 'unavailable' end
          local offered = {}
          for _, c in ipairs(cjson.decode(v[4] or '[]')) do offered[c] = true end
          for _, c in ipairs(a.required) do if not offered[c] then return 'unsupported' end end
          if (tonumber(v[2]) or 0) + held(KEYS[2], now) + n > (tonumber(v[3]) or 0) then return 'full' end
        end
        redis.call('HINCRBY', KEYS[1], 'assigned_agents', n)
        for _, agent in ipairs(a.agents) do redis.call('HSET', KEYS[3], agent.id, agent.assignment) end
        redis.call('PUBLISH', a.channel, redis.call('HINCRBY', KEYS[1], 'generation', 1))
        return 'ok'
        """;

    // ExpectedContainer: the container the caller read from the agent hash; Container, Desired and Channel
    // are that container's. Returns {'missing'}, {'ok', container id}, or {'retry', container id} when the
    // agent moved in between (nothing written: call again with that container's keys).
    public sealed record RemoveArgs(
        RedisKey Agent, RedisKey Agents, RedisKey Container, RedisKey Desired, string AgentId, string ExpectedContainer, string Channel);

    public static readonly LuaScript Remove = LuaScript.Prepare("""
        local cid = redis.call('HGET', @Agent, 'container')
        if not cid then return { 'missing' } end
        if cid ~= @ExpectedContainer then return { 'retry', cid } end
        if redis.call('HDEL', @Desired, @AgentId) == 1 then
          redis.call('HINCRBY', @Container, 'assigned_agents', -1)
          redis.call('PUBLISH', @Channel, redis.call('HINCRBY', @Container, 'generation', 1))
        end
        if redis.call('HGET', @Agent, 'reported_state') == 'running' then redis.call('HINCRBY', @Container, 'running_agents', -1) end
        redis.call('DEL', @Agent)
        redis.call('SREM', @Agents, @AgentId)
        return { 'ok', cid }
        """);

    // RequiredName: '' = any. Since: -1 = none. Generation and desired set are read together, so the
    // generation never runs ahead of the set. CredentialVersion: '' = any.
    // Returns {'missing'}, {'forbidden'}, {'revoked'} or {generation, assignment JSON...}.
    public sealed record DesiredArgs(RedisKey Container, RedisKey Desired, string RequiredName, long Since, string CredentialVersion);

    public static readonly LuaScript Desired = LuaScript.Prepare("""
        local name = redis.call('HGET', @Container, 'name')
        if not name then return { 'missing' } end
        if @RequiredName ~= '' and name ~= @RequiredName then return { 'forbidden' } end
        if @CredentialVersion ~= '' and redis.call('HGET', @Container, 'credential_version') ~= @CredentialVersion then return { 'revoked' } end
        local generation = tonumber(redis.call('HGET', @Container, 'generation') or '0')
        if generation > tonumber(@Since) then redis.call('HINCRBY', @Container, 'deliveries', 1) end
        local result = { tostring(generation) }
        for _, json in ipairs(redis.call('HVALS', @Desired)) do table.insert(result, json) end
        return result
        """);

    // KEYS: 1 the reporting container's hash, then 1 + i the hash of the i-th reported agent. The container's
    // running_agents counts its agents last reported running (kept here, by Remove and by Move), so the
    // distribution metrics need no read of every agent.
    // ARGV[1]: ReportArgs as JSON. required_version: '' = any. Returns {'missing'}, {'forbidden'}, {'revoked'} or {agent id, 'ok' | 'not_assigned' |
    // 'stale_epoch', ...}: the orchestrator stops every rejected agent.
    public const string Report = """
        local a = cjson.decode(ARGV[1])
        local name = redis.call('HGET', KEYS[1], 'name')
        if not name then return { 'missing' } end
        if a.required_name ~= '' and name ~= a.required_name then return { 'forbidden' } end
        if a.required_version ~= '' and redis.call('HGET', KEYS[1], 'credential_version') ~= a.required_version then return { 'revoked' } end
        local result = {}
        for i, agent in ipairs(a.agents) do
          local akey = KEYS[1 + i]
          local container = redis.call('HGET', akey, 'container')
          local verdict = 'ok'
          if container ~= a.container_id then
            verdict = 'not_assigned'
          elseif tonumber(redis.call('HGET', akey, 'epoch')) ~= tonumber(agent.epoch) then
            verdict = 'stale_epoch'
          else
            local was = redis.call('HGET', akey, 'reported_state')
            redis.call('HSET', akey, 'reported_state', agent.state, 'reported_at', a.now,
              'restarts', agent.restarts, 'error', agent.error, 'started_at', agent.started_at)
            if was ~= agent.state and agent.state == 'running' then redis.call('HINCRBY', KEYS[1], 'running_agents', 1) end
            if was ~= agent.state and was == 'running' then redis.call('HINCRBY', KEYS[1], 'running_agents', -1) end
          end
          table.insert(result, agent.id)
          table.insert(result, verdict)
        end
        return result
        """;
}
