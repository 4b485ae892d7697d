namespace Orchestrator.Agent.Workloads.Secrets;

// A process agent's secret files: a 0700 directory per agent (files 0600) under a root on tmpfs (/dev/shm when
// there is one), never under DATA_DIR, so no value reaches a disk in plain text. It exists while the agent's
// process runs and is removed when it ends, is fenced, moved off or deleted.
public sealed class SecretsDirectory : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private SecretsDirectory(string path) => Path = path;

    public string Path { get; }

    public static SecretsDirectory Create(string root, string agentId, IReadOnlyDictionary<string, string> files)
    {
        OwnerOnlyDirectory(root);
        var path = System.IO.Path.Combine(root, agentId);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        OwnerOnlyDirectory(path);
        var directory = new SecretsDirectory(path);
        try
        {
            foreach (var (name, value) in files)
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var stream = new FileStream(System.IO.Path.Combine(path, name), options);
                stream.Write(System.Text.Encoding.UTF8.GetBytes(value));
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
        return directory;
    }

    // Where a node keeps its agents' secret directories: a tmpfs when the machine has one.
    public static string DefaultRoot(string dataDirectory)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            System.IO.Path.GetFullPath(dataDirectory))))[..16];
        var tmpfs = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        return System.IO.Path.Combine(tmpfs, $"orchestrator-secrets-{id}");
    }

    private static void OwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, Owner);
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Removed already, or a file is held open; the next start of this agent clears it first.
        }
    }
}
