using System.Text.Json;
using System.Text.Json.Serialization;
using NSec.Cryptography;

namespace Orchestrator.Protocol.Signing;

// The node's TRUSTED_SIGNING_KEYS file: the vendor's public keys, each with an id, pinned by the customer.
// {"keys":[{"id":"vendor-2026","public_key":"<base64 raw Ed25519 public key, or PEM>"}]}. Several keys at once let
// the vendor rotate: sign with the new one, then ask customers to remove the old.
public sealed record TrustedKeyFile(IReadOnlyList<TrustedKeyEntry>? Keys);

public sealed record TrustedKeyEntry(string? Id, string? PublicKey);

public static class TrustedSigningKeys
{
    // Reads the file; throws FormatException naming the entry that is wrong.
    public static IReadOnlyDictionary<string, PublicKey> Load(string path)
    {
        TrustedKeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(path), SigningJsonContext.Default.TrustedKeyFile);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"TRUSTED_SIGNING_KEYS ({path}) is not JSON of the form {{\"keys\":[{{\"id\":…,\"public_key\":…}}]}}: {ex.Message}");
        }
        var keys = new Dictionary<string, PublicKey>(StringComparer.Ordinal);
        var entries = file?.Keys ?? [];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Id is not { Length: > 0 } id) throw new FormatException($"TRUSTED_SIGNING_KEYS ({path}): keys[{i}].id is missing");
            try
            {
                keys.Add(id, SpecSigning.ImportPublicKey(entry.PublicKey ?? ""));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw new FormatException($"TRUSTED_SIGNING_KEYS ({path}): keys[{i}].public_key of '{id}' is not an Ed25519 public key (base64 of 32 bytes, or PEM)");
            }
        }
        return keys;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TrustedKeyFile))]
internal sealed partial class SigningJsonContext : JsonSerializerContext;
