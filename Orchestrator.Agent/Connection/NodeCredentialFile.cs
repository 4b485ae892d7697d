namespace Orchestrator.Agent.Connection;

// The node's own credential, saved once at enrollment under DATA_DIR with mode 0600 (owner read/write only),
// so restarts log in without the enrollment token.
public static class NodeCredentialFile
{
    public static string PathIn(string dataDirectory) =>
        Path.Combine(dataDirectory, Configuration.ManagerConnectionOptions.CredentialFileName);

    public static bool Exists(string dataDirectory) => File.Exists(PathIn(dataDirectory));

    public static string? Read(string dataDirectory) =>
        File.Exists(PathIn(dataDirectory)) ? File.ReadAllText(PathIn(dataDirectory)).Trim() is { Length: > 0 } c ? c : null : null;

    // Written to a temp file created 0600 and moved into place: never readable by others, never half-written.
    public static void Write(string dataDirectory, string credential)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = PathIn(dataDirectory);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(credential);
        }
        File.Move(temp, path, overwrite: true);
    }
}
