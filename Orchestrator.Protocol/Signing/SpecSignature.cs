using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Protocol.Signing;

// An Ed25519 signature over an agent spec's canonical form (docs/protocol.md "Signed specs"), made where the spec
// is authored (the CLI's --sign-key, or the vendor's CI). The manager stores and forwards it and holds no private
// key; the node checks it against the keys its customer pinned (TRUSTED_SIGNING_KEYS).
// tenant: the tenant (orchestrator_id) the spec was signed for, part of the signed bytes; "" signs it for any
// tenant. A node of another tenant refuses it, so a spec signed for one customer cannot be replayed to another.
public sealed record SpecSignature(string KeyId, string Algorithm, string Value, string Tenant = "")
{
    public const string Ed25519 = "ed25519";
}

// What is signed: the spec's own fields, and nothing the manager decides (ids, placement, epoch).
public static class SignedSpec
{
    public const string Format = "orchestrator-agent-spec/v1";

    // The object whose canonical JSON is signed: {"agent_config":…,"agent_type":…,"format":…,"tenant":…}.
    // tenant is the tenant the deploy pins (orchestrator_id), "" when none.
    public static JsonObject Payload(string agentType, JsonElement agentConfig, string tenant) => new()
    {
        ["format"] = Format,
        ["agent_type"] = agentType,
        ["agent_config"] = JsonNode.Parse(agentConfig.GetRawText()),
        ["tenant"] = tenant,
    };

    public static byte[] CanonicalBytes(string agentType, JsonElement agentConfig, string tenant) =>
        CanonicalJson.Bytes(Payload(agentType, agentConfig, tenant));
}
