using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Placement (reserve and commit, one script per container), removal and reports are each Lua scripts: atomic
// against every other manager replica, so concurrent deploys can never push a container past max_agents. Every key comes in through KEYS
// (RedisKey parameters of the fixed-size scripts, or the KEYS list of the ones over n agents); channels
// are passed as values. No script builds a key or channel name (see RedisKeys).
internal static class AgentScripts
{
    // Capacity a container's live reservations hold (see Reserve): agents, then CPU (thousandths) and memory (MB);
    // in an expression only the first counts. Drops the expired ones, left by a manager that died between
    // reserving and committing, so their capacity comes back by itself. Entry: "count:expires[:cpu_millis:memory_mb]".
    internal const string Held = """
        local function held(reservations, now)
          local total, cpu, mem = 0, 0, 0
          local entries = redis.call('HGETALL', reservations)
          for i = 1, #entries, 2 do
            local count, expires, c, m = string.match(entries[i + 1], '^(%d+):(%d+):?(%d*):?(%d*)$')
            if tonumber(expires) <= now then redis.call('HDEL', reservations, entries[i])
            else
              total = total + tonumber(count)
              cpu = cpu + (tonumber(c) or 0)
              mem = mem + (tonumber(m) or 0)
            end
          end
          return total, cpu, mem
        end

        """ + Resources;

    // Capacity by resources (issue 24). A container agent's assignment asks for agent_config.resources.cpus (kept
    // in thousandths) and memory_mb; the container hash counts what its desired agents hold (reserved_cpu_millis,
    // reserved_memory_mb: Commit adds, Remove and MoveOut subtract, each from the assignment itself, so the three
    // always agree) against what its node registered (resources.cpu_count, resources.memory_limit in bytes).
    // room() answers '' when cpu/mem more fit beside that and the live reservations, else the resource short.
    // demand() reads a value, never a key, so it is a plain function value: the key check (RedisScriptTests)
    // takes a `local function` helper's first argument for a key.
    internal const string Resources = """
        local demand = function(json)
          local ok, a = pcall(cjson.decode, json)
          if not ok or type(a) ~= 'table' or a.agent_type ~= 'container' or type(a.agent_config) ~= 'table' then return 0, 0 end
          local r = a.agent_config.resources
          if type(r) ~= 'table' then return 0, 0 end
          return math.floor((tonumber(r.cpus) or 0) * 1000 + 0.5), math.floor(tonumber(r.memory_mb) or 0)
        end

        local function room(container, held_cpu, held_mem, cpu, mem)
          if cpu <= 0 and mem <= 0 then return '' end
          local v = redis.call('HMGET', container, 'resources', 'reserved_cpu_millis', 'reserved_memory_mb')
          local ok, r = pcall(cjson.decode, v[1] or '{}')
          if not ok or type(r) ~= 'table' then r = {} end
          if cpu > 0 and (tonumber(v[2]) or 0) + held_cpu + cpu > math.floor((tonumber(r.cpu_count) or 0) * 1000) then return 'cpus' end
          if mem > 0 and (tonumber(v[3]) or 0) + held_mem + mem > math.floor((tonumber(r.memory_limit) or 0) / 1048576) then return 'memory_mb' end
          return ''
        end

        local function release(container, json)
          local cpu, mem = demand(json)
          if cpu > 0 then redis.call('HINCRBY', container, 'reserved_cpu_millis', -cpu) end
          if mem > 0 then redis.call('HINCRBY', container, 'reserved_memory_mb', -mem) end
        end

        """;

    // The state an agent's last report on this container gave ('' = none yet), from the container's reports hash.
    internal const string ReportState = """
        local function reported_state(reports, id)
          local json = redis.call('HGET', reports, id)
          if not json then return '' end
          return cjson.decode(json).reported_state or ''
        end

        """;

    // Placement is one script per container, so replicas on containers in different Redis Cluster slots
    // are placed without a multi-slot script. Step 1 (only when a deploy spans several containers): hold
    // Count slots on one container under ReservationId until ExpiresAt (unix ms). The check counts agents
    // assigned and every live reservation, so holds never add up past max_agents. Entry: "count:expires".
    // Required: JSON array of the capabilities the agent type needs, checked here against the container's
    // own, so a stale plan can never place where a capability is missing.
    // CpuMillis/MemoryMb: what the Count agents ask for together (0: nothing), held in the entry too.
    // Returns 'ok', 'unavailable' (gone or not healthy), 'unsupported', 'full', 'cpus' or 'memory_mb' (no room for those).
    public sealed record ReserveArgs(
        RedisKey Container, RedisKey Reservations, string ReservationId, string Entry, long Count, long Now, long ExpiresAt, string Required,
        long CpuMillis, long MemoryMb);

    public static readonly LuaScript Reserve = LuaScript.Prepare(Held + """
        local v = redis.call('HMGET', @Container, 'status', 'assigned_agents', 'max_agents', 'capabilities', 'eligibility')
        if v[1] ~= 'healthy' or v[5] == 'ineligible' then return 'unavailable' end
        local offered = {}
        for _, c in ipairs(cjson.decode(v[4] or '[]')) do offered[c] = true end
        for _, c in ipairs(cjson.decode(@Required)) do if not offered[c] then return 'unsupported' end end
        local holds, held_cpu, held_mem = held(@Reservations, tonumber(@Now))
        if (tonumber(v[2]) or 0) + holds + tonumber(@Count) > (tonumber(v[3]) or 0) then return 'full' end
        local short = room(@Container, held_cpu, held_mem, tonumber(@CpuMillis), tonumber(@MemoryMb))
        if short ~= '' then return short end
        redis.call('HSET', @Reservations, @ReservationId, @Entry)
        redis.call('PEXPIREAT', @Reservations, @ExpiresAt)
        return 'ok'
        """);

    // Step 2, after the agents' hashes are written: put the agents into one container's desired set. KEYS: 1 the
    // container hash, 2 its reservations, 3 its desired set. ARGV[1]: CommitArgs as JSON. With a live reservation
    // (reservation: its id, '' = none) the capacity is already held; without one (a single-container deploy, or a
    // reservation that expired) the script checks status, capability and capacity itself, as Reserve does.
    // An agent already in the desired set is left as it is and not counted again, so a reschedule that died
    // after its commit can commit again (AgentMover). The resources the fresh agents ask for (from their
    // assignments) count as held only when the reservation held them too (a reschedule's holds only a slot);
    // otherwise they are checked here against the container's room. Returns 'ok', 'unavailable', 'unsupported',
    // 'full', 'cpus' or 'memory_mb' (nothing written).
    public const string Commit = Held + """
        local a = cjson.decode(ARGV[1])
        local now = tonumber(a.now)
        local fresh = {}
        local cpu, mem = 0, 0
        for _, agent in ipairs(a.agents) do
          if redis.call('HEXISTS', KEYS[3], agent.id) == 0 then
            table.insert(fresh, agent)
            local c, m = demand(agent.assignment)
            cpu, mem = cpu + c, mem + m
          end
        end
        local n = #fresh
        local v = redis.call('HMGET', KEYS[1], 'status', 'assigned_agents', 'max_agents', 'capabilities')
        if not v[1] then return 'unavailable' end
        local holds, holds_resources = false, false
        local entry = a.reservation ~= '' and redis.call('HGET', KEYS[2], a.reservation)
        if entry then
          redis.call('HDEL', KEYS[2], a.reservation)
          local count, expires, c, m = string.match(entry, '^(%d+):(%d+):?(%d*):?(%d*)$')
          holds = tonumber(expires) > now and tonumber(count) >= n
          holds_resources = holds and (tonumber(c) or 0) >= cpu and (tonumber(m) or 0) >= mem
        end
        if n == 0 then return 'ok' end
        -- A cordon set after the plan or the reservation still wins: no fresh agent lands on an ineligible container.
        if redis.call('HGET', KEYS[1], 'eligibility') == 'ineligible' then return 'unavailable' end
        if not holds then
          if v[1] ~= 'healthy' then return 'unavailable' end
          local offered = {}
          for _, c in ipairs(cjson.decode(v[4] or '[]')) do offered[c] = true end
          for _, c in ipairs(a.required) do if not offered[c] then return 'unsupported' end end
          if (tonumber(v[2]) or 0) + held(KEYS[2], now) + n > (tonumber(v[3]) or 0) then return 'full' end
        end
        if not holds_resources then
          local _, held_cpu, held_mem = held(KEYS[2], now)
          local short = room(KEYS[1], held_cpu, held_mem, cpu, mem)
          if short ~= '' then return short end
        end
        redis.call('HINCRBY', KEYS[1], 'assigned_agents', n)
        if cpu > 0 then redis.call('HINCRBY', KEYS[1], 'reserved_cpu_millis', cpu) end
        if mem > 0 then redis.call('HINCRBY', KEYS[1], 'reserved_memory_mb', mem) end
        for _, agent in ipairs(fresh) do redis.call('HSET', KEYS[3], agent.id, agent.assignment) end
        redis.call('PUBLISH', a.channel, redis.call('HINCRBY', KEYS[1], 'generation', 1))
        return 'ok'
        """;

    // Lists an agent its container holds but the agents index lacks (see AgentIndexRepair), only while its hash
    // still names that container and was written before CreatedBefore (ms): a deploy still under way indexes its
    // own agents, or discards them. Agent and Index share the agent id's shard tag: one slot. Returns 1 when listed.
    public sealed record IndexIfPlacedArgs(RedisKey Agent, RedisKey Index, string AgentId, string Container, long CreatedBefore);

    public static readonly LuaScript IndexIfPlaced = LuaScript.Prepare("""
        local v = redis.call('HMGET', @Agent, 'container', 'created_at')
        if v[1] ~= @Container then return 0 end
        if (tonumber(v[2]) or 0) > tonumber(@CreatedBefore) then return 0 end
        return redis.call('SADD', @Index, @AgentId)
        """);

    // Takes one agent off one container: its desired entry, its last report (and running_agents with it).
    // Returns 'ok', 'moving' (a reschedule holds it in Outgoing: try again shortly) or 'absent' (not here: the
    // caller reads the agent's container again, which a reschedule may have changed).
    public sealed record RemoveArgs(RedisKey Container, RedisKey Desired, RedisKey Reports, RedisKey Outgoing, string AgentId, string Channel);

    public static readonly LuaScript Remove = LuaScript.Prepare(ReportState + Resources + """
        local assignment = redis.call('HGET', @Desired, @AgentId)
        if not assignment then
          if redis.call('HEXISTS', @Outgoing, @AgentId) == 1 then return 'moving' end
          return 'absent'
        end
        redis.call('HDEL', @Desired, @AgentId)
        redis.call('HINCRBY', @Container, 'assigned_agents', -1)
        release(@Container, assignment)
        if reported_state(@Reports, @AgentId) == 'running' then redis.call('HINCRBY', @Container, 'running_agents', -1) end
        redis.call('HDEL', @Reports, @AgentId)
        redis.call('PUBLISH', @Channel, redis.call('HINCRBY', @Container, 'generation', 1))
        return 'ok'
        """);

    // In place (issue 25): an update or a restart gives an agent its next assignment (epoch + 1, a new spec or the
    // same) on the container it runs on, so it keeps its agent_id, node and data; its node sees the new epoch and
    // stops the old process before starting the new one. Only from ExpectedEpoch, so two replicas (or a replica
    // repeating a step after a restart) never update one agent twice. The last report goes (running_agents with it):
    // the agent counts as healthy again only once its node reports the new epoch running. Resources follow the
    // new assignment without a room check (a spec's resources rarely change; the node enforces its own limits).
    // Returns 'ok', 'absent' (not on this container) or 'changed' (another epoch: moved, restarted or updated meanwhile).
    public sealed record RespecArgs(RedisKey Container, RedisKey Desired, RedisKey Reports, string AgentId, long ExpectedEpoch,
        string Assignment, string Channel);

    public static readonly LuaScript Respec = LuaScript.Prepare(ReportState + Resources + """
        local current = redis.call('HGET', @Desired, @AgentId)
        if not current then return 'absent' end
        if tonumber(cjson.decode(current).epoch) ~= tonumber(@ExpectedEpoch) then return 'changed' end
        release(@Container, current)
        local cpu, mem = demand(@Assignment)
        if cpu > 0 then redis.call('HINCRBY', @Container, 'reserved_cpu_millis', cpu) end
        if mem > 0 then redis.call('HINCRBY', @Container, 'reserved_memory_mb', mem) end
        if reported_state(@Reports, @AgentId) == 'running' then redis.call('HINCRBY', @Container, 'running_agents', -1) end
        redis.call('HDEL', @Reports, @AgentId)
        redis.call('HSET', @Desired, @AgentId, @Assignment)
        redis.call('PUBLISH', @Channel, redis.call('HINCRBY', @Container, 'generation', 1))
        return 'ok'
        """);

    // Then the agent's own hash follows (its slot, not the container's): spec and epoch, once (a repeat or an
    // older epoch changes nothing). Returns 'ok' or 'gone' (removed meanwhile).
    public sealed record RespecAgentArgs(RedisKey Agent, string AgentType, string Config, long Epoch, string Assignment);

    public static readonly LuaScript RespecAgent = LuaScript.Prepare("""
        if redis.call('EXISTS', @Agent) == 0 then return 'gone' end
        if tonumber(redis.call('HGET', @Agent, 'epoch') or '0') >= tonumber(@Epoch) then return 'ok' end
        redis.call('HSET', @Agent, 'type', @AgentType, 'config', @Config, 'epoch', @Epoch, 'assignment', @Assignment)
        return 'ok'
        """);

    // Replaces one agent's desired entry with Next only while it is still Expected (compare and set: a move or
    // update meanwhile wins), then tells its node. Used for desired_state and force (issues 25, 27), which leave
    // the epoch and spec alone. Returns 'ok' or 'changed'.
    public sealed record SetEntryArgs(RedisKey Container, RedisKey Desired, string AgentId, string Expected, string Next, string Channel);

    public static readonly LuaScript SetEntry = LuaScript.Prepare("""
        if redis.call('HGET', @Desired, @AgentId) ~= @Expected then return 'changed' end
        redis.call('HSET', @Desired, @AgentId, @Next)
        redis.call('PUBLISH', @Channel, redis.call('HINCRBY', @Container, 'generation', 1))
        return 'ok'
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

    // KEYS: 1 the reporting container's hash, 2 its desired set, 3 its reports. Whether an agent runs here, and
    // at which epoch, is the desired set's entry, so a report reads only the container's own slot. The container's
    // running_agents counts its agents last reported running (kept here, by Remove and by MoveOut), so the
    // distribution metrics need no read of every agent.
    // ARGV[1]: ReportArgs as JSON. required_version: '' = any. Returns {'missing'}, {'forbidden'}, {'revoked'} or {agent id, 'ok' | 'not_assigned' |
    // 'stale_epoch', ...}: the orchestrator stops every rejected agent.
    public const string Report = ReportState + """
        local a = cjson.decode(ARGV[1])
        local name = redis.call('HGET', KEYS[1], 'name')
        if not name then return { 'missing' } end
        if a.required_name ~= '' and name ~= a.required_name then return { 'forbidden' } end
        if a.required_version ~= '' and redis.call('HGET', KEYS[1], 'credential_version') ~= a.required_version then return { 'revoked' } end
        local result = {}
        for _, agent in ipairs(a.agents) do
          local assignment = redis.call('HGET', KEYS[2], agent.id)
          local verdict = 'ok'
          if not assignment then
            verdict = 'not_assigned'
          elseif tonumber(cjson.decode(assignment).epoch) ~= tonumber(agent.epoch) then
            verdict = 'stale_epoch'
          else
            local was = reported_state(KEYS[3], agent.id)
            redis.call('HSET', KEYS[3], agent.id, cjson.encode({ reported_state = agent.state, reported_at = a.now,
              restarts = agent.restarts, error = agent.error, started_at = agent.started_at, image_digest = agent.image_digest,
              lock_waited_seconds = agent.lock_waited_seconds }))
            if was ~= agent.state and agent.state == 'running' then redis.call('HINCRBY', KEYS[1], 'running_agents', 1) end
            if was ~= agent.state and was == 'running' then redis.call('HINCRBY', KEYS[1], 'running_agents', -1) end
          end
          table.insert(result, agent.id)
          table.insert(result, verdict)
        end
        return result
        """;
}
