using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Placement, removal and reports are each one Lua script: atomic against every other manager replica,
// so concurrent deploys can never push a container past max_agents. Every key comes in through KEYS
// (RedisKey parameters of the fixed-size scripts, or the KEYS list of the ones over n agents); channels
// are passed as values. No script builds a key or channel name (see RedisKeys).
internal static class AgentScripts
{
    // KEYS: 1 agents set, then per replica i (from 1): 3i-1 its container hash, 3i that container's desired
    // set, 3i+1 its agent hash. ARGV[1]: PlaceArgs as JSON (each replica also names its container's channel).
    // All replicas are placed, or none: returns {'ok'} or {'full'|'unavailable', container id}.
    public const string Place = """
        local a = cjson.decode(ARGV[1])
        local need, order = {}, {}
        for i, r in ipairs(a.replicas) do
          local ckey = KEYS[3 * i - 1]
          if not need[ckey] then
            need[ckey] = { count = 0, id = r.container_id, channel = r.channel }
            table.insert(order, ckey)
          end
          need[ckey].count = need[ckey].count + 1
        end
        for _, ckey in ipairs(order) do
          if redis.call('HGET', ckey, 'status') ~= 'healthy' then return { 'unavailable', need[ckey].id } end
          local assigned = tonumber(redis.call('HGET', ckey, 'assigned_agents') or '0')
          local max = tonumber(redis.call('HGET', ckey, 'max_agents') or '0')
          if assigned + need[ckey].count > max then return { 'full', need[ckey].id } end
        end
        for i, r in ipairs(a.replicas) do
          redis.call('HINCRBY', KEYS[3 * i - 1], 'assigned_agents', 1)
          redis.call('HSET', KEYS[3 * i], r.agent_id, r.assignment)
          redis.call('HSET', KEYS[3 * i + 1], 'id', r.agent_id, 'type', a.type, 'config', a.config, 'container', r.container_id,
            'orchestrator', r.orchestrator_id, 'epoch', '1', 'policy', a.policy, 'lease', a.lease,
            'deployment', a.deployment, 'created_at', a.now, 'traceparent', a.traceparent, 'assignment', r.assignment,
            'tenant', r.tenant, 'constraints', a.constraints)
          redis.call('SADD', KEYS[1], r.agent_id)
        end
        for _, ckey in ipairs(order) do
          redis.call('PUBLISH', need[ckey].channel, redis.call('HINCRBY', ckey, 'generation', 1))
        end
        return { 'ok' }
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

    // KEYS: 1 the reporting container's hash, then 1 + i the hash of the i-th reported agent.
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
            redis.call('HSET', akey, 'reported_state', agent.state, 'reported_at', a.now,
              'restarts', agent.restarts, 'error', agent.error, 'started_at', agent.started_at)
          end
          table.insert(result, agent.id)
          table.insert(result, verdict)
        end
        return result
        """;
}
