using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Manager.Secrets;

// AES-GCM over one secret value. The tenant and name are the associated data, so a sealed value copied by
// hand to another tenant's or name's slot in Redis does not open there.
public sealed class SecretCipher(SecretKeyRing keys)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public string CurrentKeyId => keys.CurrentId;

    public string Seal(string tenant, string name, string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys.Current, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Aad(tenant, name));
        CryptographicOperations.ZeroMemory(plain);
        return Convert.ToBase64String(sealedBytes);
    }

    // Null when no key of the ring has this id, or the value does not open (altered, or moved to another slot).
    public string? Open(string tenant, string name, string keyId, string sealedValue)
    {
        if (keys.Find(keyId) is not { } key) return null;
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(sealedValue);
        }
        catch (FormatException)
        {
            return null;
        }
        if (sealedBytes.Length < NonceSize + TagSize) return null;
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain,
                Aad(tenant, name));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static byte[] Aad(string tenant, string name) => Encoding.UTF8.GetBytes(tenant + "/" + name);
}
