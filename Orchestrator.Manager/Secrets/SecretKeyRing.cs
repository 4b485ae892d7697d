using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Secrets;

// The AES-256 keys secrets are sealed under, derived (HKDF-SHA256) from MASTER_SECRET_KEY and, while a rotation
// is under way, MASTER_SECRET_KEY_PREVIOUS. A key id (a hash of the derived key, never the key) is stored with
// every sealed value, so any replica knows which key opens it and the re-encryption pass knows what to move.
public sealed class SecretKeyRing
{
    private static readonly byte[] Info = Encoding.UTF8.GetBytes("orchestrator secrets v1");
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public SecretKeyRing(IOptions<ManagerOptions> options)
    {
        var current = options.Value.MasterSecretKey;
        if (string.IsNullOrEmpty(current))
            throw new InvalidOperationException("MASTER_SECRET_KEY (Manager:MasterSecretKey) is required to seal secrets.");
        (CurrentId, Current) = Derive(current);
        _keys[CurrentId] = Current;
        if (options.Value.MasterSecretKeyPrevious is { Length: > 0 } previous)
        {
            var (id, key) = Derive(previous);
            _keys.TryAdd(id, key);
        }
    }

    public string CurrentId { get; }

    public byte[] Current { get; }

    public byte[]? Find(string keyId) => _keys.GetValueOrDefault(keyId);

    private static (string Id, byte[] Key) Derive(string master)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(master), 32, salt: [], info: Info);
        return (Convert.ToHexStringLower(SHA256.HashData(key))[..16], key);
    }
}
