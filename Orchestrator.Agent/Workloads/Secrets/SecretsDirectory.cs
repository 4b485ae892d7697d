namespace Orchestrator.Agent.Workloads.Secrets;

// An agent's secret files: a directory per agent under a 0700 root on tmpfs (/dev/shm when there is one), never
// under DATA_DIR, so no value reaches a disk in plain text. It exists while the agent's workload runs and is removed
// when it ends, is fenced, moved off or deleted. A process agent's is 0700 (files 0600): the process runs as the
// node's user. A container agent's is bind-mounted read-only at /run/secrets (Nomad's secrets/ dir, a Kubernetes
// secret volume): 0755 with 0444 files, because the image may run as any user; the 0700 root keeps the host's other
// users out.
public sealed class SecretsDirectory : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // The variable that tells an agent where its secret files are (a process's directory; /run/secrets in a container).
    public const string Variable = "SECRETS_DIR";

    private SecretsDirectory(string path) => Path = path;

    public string Path { get; }

    private const UnixFileMode ReadableByAll = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static SecretsDirectory Create(string root, string agentId, IReadOnlyDictionary<string, string> files, bool forContainer = false)
    {
        OwnerOnlyDirectory(root);
        var path = System.IO.Path.Combine(root, agentId);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        if (forContainer && !OperatingSystem.IsWindows())
            Directory.CreateDirectory(path, Owner | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        else OwnerOnlyDirectory(path);
        var directory = new SecretsDirectory(path);
        try
        {
            foreach (var (name, value) in files)
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = forContainer ? ReadableByAll : UnixFileMode.UserRead | UnixFileMode.UserWrite;
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

    // An agent's directory as it is (an adopted container's, still mounted): removed with the container.
    public static SecretsDirectory At(string root, string agentId) => new(System.IO.Path.Combine(root, agentId));

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
