using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Runtime;

// The node-local key that seals the secret values kept in the desired-state file, so the node never writes a value
// to disk in plain text yet restarts its agents while the manager is unreachable. 32 random bytes in
// DATA_DIR/secrets.key (0600), created on first use. AES-256-GCM; the agent id is the associated data, so a sealed
// blob moved to another agent does not open.
public sealed class NodeSecretKey(IOptions<RuntimeOptions> options, IHostEnvironment environment)
{
    public const string FileName = "secrets.key";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Lock _gate = new();
    private byte[]? _key;

    public string FilePath { get; } = Path.Combine(Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath), FileName);

    public string Seal(string agentId, string plaintext)
    {
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + TagSize + data.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key(), TagSize);
        aes.Encrypt(nonce, data, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(agentId));
        return Convert.ToBase64String(output);
    }

    // Null when it does not open (another key, a damaged file): the agent then waits for the manager's values.
    public string? Open(string agentId, string sealedValue)
    {
        try
        {
            var input = Convert.FromBase64String(sealedValue);
            if (input.Length < NonceSize + TagSize) return null;
            var plain = new byte[input.Length - NonceSize - TagSize];
            using var aes = new AesGcm(Key(), TagSize);
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plain,
                Encoding.UTF8.GetBytes(agentId));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private byte[] Key()
    {
        lock (_gate)
        {
            if (_key is not null) return _key;
            if (File.Exists(FilePath)) return _key = File.ReadAllBytes(FilePath) is { Length: 32 } read ? read
                : throw new InvalidOperationException($"{FilePath} is not a 32-byte key; remove it to make a new one (sealed values are then re-sent by the manager)");
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var key = RandomNumberGenerator.GetBytes(32);
            var temporary = FilePath + $".{Environment.ProcessId}.tmp";
            var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, fileOptions))
            {
                stream.Write(key);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, FilePath, overwrite: false);
            return _key = key;
        }
    }
}
