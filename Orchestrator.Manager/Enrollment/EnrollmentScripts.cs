using StackExchange.Redis;
using Orchestrator.Manager.Containers;

namespace Orchestrator.Manager.Enrollment;

// Every key a script touches comes in as a RedisKey parameter (LuaScript sends those as KEYS), the rest by
// name; no script builds a key name (see RedisKeys, RedisScriptTests).
internal static class EnrollmentScripts
{
    // Stores a token under the hash of its secret (Token; Hash is that secret hash, recorded in the Tokens index
    // under TokenId), expiring with it. OrchestratorIds JSON; MaxUses 0 = unlimited; ExpiresAt and CreatedAt ms;
    // Capabilities JSON ('' = any); Labels JSON ('' = none); Replaces the container_id it may take over ('' = none). Re-storing the same token (a bootstrap token at
    // every start) keeps its use count.
    public sealed record StoreArgs(
        RedisKey Token, RedisKey Tokens, string TokenId, string OrchestratorIds, int MaxUses, long ExpiresAt, long CreatedAt,
        int MaxAgents, string Capabilities, string Labels, string Hash, string Replaces = "");

    public static readonly LuaScript Store = LuaScript.Prepare("""
        redis.call('HSET', @Token, 'token_id', @TokenId, 'orchestrator_ids', @OrchestratorIds, 'max_uses', @MaxUses,
          'expires_at', @ExpiresAt, 'created_at', @CreatedAt, 'max_agents', @MaxAgents, 'capabilities', @Capabilities, 'labels', @Labels,
          'replaces', @Replaces)
        redis.call('HSETNX', @Token, 'uses', 0)
        redis.call('PEXPIREAT', @Token, @ExpiresAt)
        redis.call('HSET', @Tokens, @TokenId, @Hash)
        return 1
        """);

    // Returns 1 if the token existed.
    public sealed record DeleteArgs(RedisKey Token, RedisKey Tokens, string TokenId);

    public static readonly LuaScript Delete = LuaScript.Prepare("""
        local hash = redis.call('HGET', @Tokens, @TokenId)
        if not hash then return 0 end
        redis.call('HDEL', @Tokens, @TokenId)
        if redis.call('HGET', @Token, 'token_id') ~= @TokenId then return 1 end
        redis.call('DEL', @Token)
        return 1
        """);

    // Enrollment is two one-slot steps: Use takes one use of the token (its own slot, {enrollment}), then Register
    // checks the name's owner and writes the container (the container's shard). When Register refuses, or the manager
    // cannot run it, Refund hands the use back; a manager that dies in between costs the token one use, never grants one.
    // Returns 'ok', 'token_unknown', 'token_expired' or 'token_used_up'.
    public sealed record UseArgs(RedisKey Token, long Now);

    public static readonly LuaScript Use = LuaScript.Prepare("""
        if redis.call('EXISTS', @Token) == 0 then return 'token_unknown' end
        if tonumber(redis.call('HGET', @Token, 'expires_at')) <= tonumber(@Now) then return 'token_expired' end
        local max_uses = tonumber(redis.call('HGET', @Token, 'max_uses'))
        if max_uses > 0 and tonumber(redis.call('HGET', @Token, 'uses')) >= max_uses then return 'token_used_up' end
        redis.call('HINCRBY', @Token, 'uses', 1)
        return 'ok'
        """);

    public sealed record RefundArgs(RedisKey Token);

    public static readonly LuaScript Refund = LuaScript.Prepare("""
        if redis.call('EXISTS', @Token) == 1 then redis.call('HINCRBY', @Token, 'uses', -1) end
        return 1
        """);

    // Now ms. Expected: the id Name maps to now as the caller read it ('' = none). Id: Container's id.
    // Capabilities, Resources, Metadata and Bounds JSON; CredentialHash: the new credential's hash.
    // One atomic step: the name's owner checked and the container written with a fresh credential (its version
    // bumped, so a previous credential for the same container dies). Names is the name's shard, the other keys
    // the id's: the same shard for every id the manager draws (ContainerShards.NewIdFor).
    // Returns { code } on refusal: 'retry' (the name moved since the caller read it), 'name_taken' (with the owner);
    // else { 'ok', credential version, 1 if created }.
    public sealed record EnrollArgs(
        RedisKey Names, RedisKey Ids, RedisKey Index, RedisKey Totals, RedisKey Container,
        long Now, string Name, string Expected, string Id, string OrchestratorId, string Host, int Port,
        string Capabilities, string Resources, string Metadata, int MaxAgents, string CredentialHash, string Bounds);

    public static readonly LuaScript Register = LuaScript.Prepare(Containers.ContainerScripts.Totals + """
        local current = redis.call('HGET', @Names, @Name) or ''
        if current ~= @Expected then return { 'retry' } end
        local created = 1
        if current ~= '' then
          created = 0
          local owner = redis.call('HGET', @Container, 'orchestrator_id')
          if not owner then
            local ok, metadata = pcall(cjson.decode, redis.call('HGET', @Container, 'metadata') or '{}')
            if ok and type(metadata) == 'table' and metadata['orchestrator_id'] ~= nil then owner = tostring(metadata['orchestrator_id']) end
          end
          if owner and owner ~= @OrchestratorId then return { 'name_taken', owner } end
        end
        local before, before_max, active = weight(@Container)
        bucket(@Totals, before, -1, -before_max, -active)
        bucket(@Totals, 'healthy', 1, tonumber(@MaxAgents), active)
        if created == 1 then
          redis.call('HSET', @Names, @Name, @Id)
          redis.call('SADD', @Ids, @Id)
          redis.call('HSET', @Container, 'registered_at', @Now, 'health_score', '100', 'active_agents', '0',
            'assigned_agents', '0', 'generation', '0')
        else
          redis.call('HINCRBY', @Container, 'reconnects', 1)
        end
        redis.call('HSET', @Container, 'id', @Id, 'name', @Name, 'host', @Host, 'port', @Port,
          'capabilities', @Capabilities, 'resources', @Resources, 'metadata', @Metadata, 'max_agents', @MaxAgents,
          'status', 'healthy', 'last_heartbeat', @Now, 'orchestrator_id', @OrchestratorId, 'credential_hash', @CredentialHash,
          'bounds', @Bounds)
        local version = redis.call('HINCRBY', @Container, 'credential_version', 1)
        redis.call('ZADD', @Index, @Now, @Id)
        return { 'ok', tostring(version), created }
        """);
}
