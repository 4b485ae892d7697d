namespace Orchestrator.Manager.Agents;

// Placement, removal and reports are each one Lua script: atomic against every other manager replica,
// so concurrent deploys can never push a container past max_agents.
internal static class AgentScripts
{
    // ARGV: 1 container prefix, 2 agent prefix, 3 agents set, 4 now ms, 5 type, 6 config, 7 policy,
    // 8 lease, 9 deployment, 10 traceparent, 11 n, then n times: container id, agent id, orchestrator id,
    // assignment JSON. All replicas are placed, or none: returns {'ok'} or {'full'|'unavailable', id}.
    public const string Place = """
        local n = tonumber(ARGV[11])
        local need = {}
        for i = 0, n - 1 do
          local cid = ARGV[12 + i * 4]
          need[cid] = (need[cid] or 0) + 1
        end
        for cid, count in pairs(need) do
          local key = ARGV[1] .. cid
          if redis.call('HGET', key, 'status') ~= 'healthy' then return { 'unavailable', cid } end
          local assigned = tonumber(redis.call('HGET', key, 'assigned_agents') or '0')
          local max = tonumber(redis.call('HGET', key, 'max_agents') or '0')
          if assigned + count > max then return { 'full', cid } end
        end
        for i = 0, n - 1 do
          local base = 12 + i * 4
          local cid, aid = ARGV[base], ARGV[base + 1]
          redis.call('HINCRBY', ARGV[1] .. cid, 'assigned_agents', 1)
          redis.call('HSET', ARGV[1] .. cid .. ':desired', aid, ARGV[base + 3])
          redis.call('HSET', ARGV[2] .. aid, 'id', aid, 'type', ARGV[5], 'config', ARGV[6], 'container', cid,
            'orchestrator', ARGV[base + 2], 'epoch', '1', 'policy', ARGV[7], 'lease', ARGV[8],
            'deployment', ARGV[9], 'created_at', ARGV[4], 'traceparent', ARGV[10], 'assignment', ARGV[base + 3])
          redis.call('SADD', ARGV[3], aid)
        end
        for cid, _ in pairs(need) do
          local generation = redis.call('HINCRBY', ARGV[1] .. cid, 'generation', 1)
          redis.call('PUBLISH', ARGV[1] .. cid .. ':changed', generation)
        end
        return { 'ok' }
        """;

    // ARGV: 1 container prefix, 2 agent prefix, 3 agents set, 4 agent id. Returns the container id, or false.
    public const string Remove = """
        local key = ARGV[2] .. ARGV[4]
        local cid = redis.call('HGET', key, 'container')
        if not cid then return false end
        if redis.call('HDEL', ARGV[1] .. cid .. ':desired', ARGV[4]) == 1 then
          redis.call('HINCRBY', ARGV[1] .. cid, 'assigned_agents', -1)
          local generation = redis.call('HINCRBY', ARGV[1] .. cid, 'generation', 1)
          redis.call('PUBLISH', ARGV[1] .. cid .. ':changed', generation)
        end
        redis.call('DEL', key)
        redis.call('SREM', ARGV[3], ARGV[4])
        return cid
        """;

    // ARGV: 1 container prefix, 2 container id, 3 required name ('' = any), 4 since (-1 = none),
    // 5 required credential version ('' = any).
    // Generation and desired set are read together, so the generation never runs ahead of the set.
    // Returns {'missing'}, {'forbidden'}, {'revoked'} or {generation, assignment JSON...}.
    public const string Desired = """
        local key = ARGV[1] .. ARGV[2]
        local name = redis.call('HGET', key, 'name')
        if not name then return { 'missing' } end
        if ARGV[3] ~= '' and name ~= ARGV[3] then return { 'forbidden' } end
        if ARGV[5] ~= '' and redis.call('HGET', key, 'credential_version') ~= ARGV[5] then return { 'revoked' } end
        local generation = tonumber(redis.call('HGET', key, 'generation') or '0')
        if generation > tonumber(ARGV[4]) then redis.call('HINCRBY', key, 'deliveries', 1) end
        local result = { tostring(generation) }
        for _, json in ipairs(redis.call('HVALS', key .. ':desired')) do table.insert(result, json) end
        return result
        """;

    // ARGV: 1 container prefix, 2 agent prefix, 3 container id, 4 required name, 5 now ms, 6 n, 7 required
    // credential version ('' = any), then n times: agent id, state, epoch, restarts, error, started_at.
    // Returns {'missing'}, {'forbidden'}, {'revoked'} or
    // {agent id, 'ok' | 'not_assigned' | 'stale_epoch', ...}: the orchestrator stops every rejected agent.
    public const string Report = """
        local ckey = ARGV[1] .. ARGV[3]
        local name = redis.call('HGET', ckey, 'name')
        if not name then return { 'missing' } end
        if ARGV[4] ~= '' and name ~= ARGV[4] then return { 'forbidden' } end
        if ARGV[7] ~= '' and redis.call('HGET', ckey, 'credential_version') ~= ARGV[7] then return { 'revoked' } end
        local result = {}
        for i = 0, tonumber(ARGV[6]) - 1 do
          local base = 8 + i * 6
          local aid = ARGV[base]
          local akey = ARGV[2] .. aid
          local container = redis.call('HGET', akey, 'container')
          local verdict = 'ok'
          if container ~= ARGV[3] then
            verdict = 'not_assigned'
          elseif tonumber(redis.call('HGET', akey, 'epoch')) ~= tonumber(ARGV[base + 2]) then
            verdict = 'stale_epoch'
          else
            redis.call('HSET', akey, 'reported_state', ARGV[base + 1], 'reported_at', ARGV[5],
              'restarts', ARGV[base + 3], 'error', ARGV[base + 4], 'started_at', ARGV[base + 5])
          end
          table.insert(result, aid)
          table.insert(result, verdict)
        end
        return result
        """;
}
