using System.Text;
using System.Text.Json;
using NSec.Cryptography;

namespace Orchestrator.Protocol.Signing;

// Ed25519 signing (authoring tools) and checking (the node). Private keys are PKCS#8 PEM files, as
// `openssl genpkey -algorithm ed25519` writes them; public keys are the raw 32 bytes in base64, or PEM.
public static class SpecSigning
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    public static SpecSignature Sign(string privateKeyPem, string keyId, string agentType, JsonElement agentConfig, string tenant)
    {
        using var key = Key.Import(Algorithm, Encoding.ASCII.GetBytes(privateKeyPem), KeyBlobFormat.PkixPrivateKeyText);
        var signature = Algorithm.Sign(key, SignedSpec.CanonicalBytes(agentType, agentConfig, tenant));
        return new SpecSignature(keyId, SpecSignature.Ed25519, Convert.ToBase64String(signature), tenant);
    }

    // The base64 raw public key of a PEM private key, for the node's TRUSTED_SIGNING_KEYS file.
    public static string PublicKeyOf(string privateKeyPem)
    {
        using var key = Key.Import(Algorithm, Encoding.ASCII.GetBytes(privateKeyPem), KeyBlobFormat.PkixPrivateKeyText);
        return Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public static PublicKey ImportPublicKey(string text)
    {
        var trimmed = text.Trim();
        return trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal)
            ? PublicKey.Import(Algorithm, Encoding.ASCII.GetBytes(trimmed), KeyBlobFormat.PkixPublicKeyText)
            : PublicKey.Import(Algorithm, Convert.FromBase64String(trimmed), KeyBlobFormat.RawPublicKey);
    }

    // Null when the signature holds for a node of nodeTenant; else the failed check, named for the agent's reason
    // and the audit log.
    public static string? Check(SpecSignature? signature, IReadOnlyDictionary<string, PublicKey> trusted, string agentType, JsonElement agentConfig,
        string nodeTenant)
    {
        if (signature is null) return "unsigned: the spec carries no signature";
        if (signature.Tenant is { Length: > 0 } signedFor && signedFor != nodeTenant)
            return $"wrong tenant: signed for tenant '{signedFor}', not this node's '{nodeTenant}'";
        var tenant = signature.Tenant;
        if (signature.Algorithm != SpecSignature.Ed25519) return $"unsupported algorithm '{signature.Algorithm}': only ed25519 is accepted";
        if (!trusted.TryGetValue(signature.KeyId, out var key)) return $"unknown key '{signature.KeyId}': not in TRUSTED_SIGNING_KEYS";
        byte[] value;
        try
        {
            value = Convert.FromBase64String(signature.Value);
        }
        catch (FormatException)
        {
            return "malformed signature: not base64";
        }
        return Algorithm.Verify(key, SignedSpec.CanonicalBytes(agentType, agentConfig, tenant), value)
            ? null
            : $"altered: the signature of key '{signature.KeyId}' does not match this spec";
    }
}
