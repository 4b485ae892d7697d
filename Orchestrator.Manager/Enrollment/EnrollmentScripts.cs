namespace Orchestrator.Manager.Enrollment;

internal static class EnrollmentScripts
{
    // KEYS: token, token index. ARGV: token_id, orchestrator_ids JSON, max_uses, expires_at ms, created_at ms,
    // max_agents, capabilities JSON ('' = any), labels JSON ('' = none). Stores a token under the hash of its
    // secret, expiring with it. Re-storing the same token (a bootstrap token at every start) keeps its use count.
    public const string Store = """
        redis.call('HSET', KEYS[1], 'token_id', ARGV[1], 'orchestrator_ids', ARGV[2], 'max_uses', ARGV[3],
          'expires_at', ARGV[4], 'created_at', ARGV[5], 'max_agents', ARGV[6], 'capabilities', ARGV[7], 'labels', ARGV[8])
        redis.call('HSETNX', KEYS[1], 'uses', 0)
        redis.call('PEXPIREAT', KEYS[1], ARGV[4])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[9])
        return 1
        """;

    // KEYS: token, token index. ARGV: token_id. Returns 1 if the token existed.
    public const string Delete = """
        local hash = redis.call('HGET', KEYS[2], ARGV[1])
        if not hash then return 0 end
        redis.call('HDEL', KEYS[2], ARGV[1])
        if redis.call('HGET', KEYS[1], 'token_id') ~= ARGV[1] then return 1 end
        redis.call('DEL', KEYS[1])
        return 1
        """;

    // KEYS: 1 token, 2 container names, 3 container ids, 4 heartbeat index, 5 totals, 6 container.
    // ARGV: 1 now ms, 2 name, 3 id the name maps to now ('' = none), 4 container id (KEYS[6]'s), 5 orchestrator_id,
    // 6 host, 7 port, 8 capabilities JSON, 9 resources JSON, 10 metadata JSON, 11 max_agents, 12 credential hash,
    // 13 bounds JSON.
    // One atomic step: the token is checked and used, the name's owner checked, and the container written with
    // a fresh credential (its version bumped, so a previous credential for the same container dies).
    // Returns { code } on refusal: 'token_unknown', 'token_expired', 'token_used_up', 'retry' (the name moved
    // since the caller read it), 'name_taken' (with the owner); else { 'ok', credential version, 1 if created }.
    public const string Enroll = Redis.ContainerScripts.Totals + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return { 'token_unknown' } end
        if tonumber(redis.call('HGET', KEYS[1], 'expires_at')) <= tonumber(ARGV[1]) then return { 'token_expired' } end
        local max_uses = tonumber(redis.call('HGET', KEYS[1], 'max_uses'))
        if max_uses > 0 and tonumber(redis.call('HGET', KEYS[1], 'uses')) >= max_uses then return { 'token_used_up' } end
        local current = redis.call('HGET', KEYS[2], ARGV[2]) or ''
        if current ~= ARGV[3] then return { 'retry' } end
        local created = 1
        if current ~= '' then
          created = 0
          local owner = redis.call('HGET', KEYS[6], 'orchestrator_id')
          if not owner then
            local ok, metadata = pcall(cjson.decode, redis.call('HGET', KEYS[6], 'metadata') or '{}')
            if ok and type(metadata) == 'table' and metadata['orchestrator_id'] ~= nil then owner = tostring(metadata['orchestrator_id']) end
          end
          if owner and owner ~= ARGV[5] then return { 'name_taken', owner } end
        end
        redis.call('HINCRBY', KEYS[1], 'uses', 1)
        local before, before_max, active = weight(KEYS[6])
        bucket(KEYS[5], before, -1, -before_max, -active)
        bucket(KEYS[5], 'healthy', 1, tonumber(ARGV[11]), active)
        if created == 1 then
          redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
          redis.call('SADD', KEYS[3], ARGV[4])
          redis.call('HSET', KEYS[6], 'registered_at', ARGV[1], 'health_score', '100', 'active_agents', '0',
            'assigned_agents', '0', 'generation', '0')
        else
          redis.call('HINCRBY', KEYS[6], 'reconnects', 1)
        end
        redis.call('HSET', KEYS[6], 'id', ARGV[4], 'name', ARGV[2], 'host', ARGV[6], 'port', ARGV[7],
          'capabilities', ARGV[8], 'resources', ARGV[9], 'metadata', ARGV[10], 'max_agents', ARGV[11],
          'status', 'healthy', 'last_heartbeat', ARGV[1], 'orchestrator_id', ARGV[5], 'credential_hash', ARGV[12],
          'bounds', ARGV[13])
        local version = redis.call('HINCRBY', KEYS[6], 'credential_version', 1)
        redis.call('ZADD', KEYS[4], ARGV[1], ARGV[4])
        return { 'ok', tostring(version), created }
        """;
}
