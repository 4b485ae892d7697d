using System.Text.Json;
using Orchestrator.Cli.Cli;

namespace Orchestrator.Cli.Session;

// Where the saved login lives: $ORCHESTRATOR_CONFIG_DIR, else $XDG_CONFIG_HOME/orchestrator, else
// ~/.config/orchestrator. The directory is 0700 and the file 0600: the token is as good as the password
// until it expires.
public sealed class ConfigDirectory(string path)
{
    public const string OverrideVariable = "ORCHESTRATOR_CONFIG_DIR";
    public const string FileName = "credentials.json";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    public string Path { get; } = path;

    public string LoginFile => System.IO.Path.Combine(Path, FileName);

    public static ConfigDirectory FromEnvironment(Func<string, string?> variable)
    {
        if (variable(OverrideVariable) is { Length: > 0 } explicitDir) return new(explicitDir);
        var config = variable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(variable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return new(System.IO.Path.Combine(config, "orchestrator"));
    }

    public SavedLogin? Load()
    {
        if (!File.Exists(LoginFile)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(LoginFile), CliJsonContext.Default.SavedLogin);
        }
        catch (JsonException)
        {
            throw new CliFailure($"{LoginFile} is not a saved login; run `orchestrator login` again");
        }
    }

    public SavedLogin Require() =>
        Load() ?? throw new CliFailure($"not logged in (no {LoginFile}); run `orchestrator login --url URL --username NAME`");

    // Written to a 0600 temp file and renamed over the old one, so the token is never readable by others,
    // not even for a moment, and a crash leaves the old login whole.
    public void Save(SavedLogin login)
    {
        var temp = LoginFile + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        // (Windows: the profile directory's ACL already keeps others out.)
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(Path);
        else
        {
            Directory.CreateDirectory(Path, OwnerOnlyDirectory);
            options.UnixCreateMode = OwnerOnlyFile;
        }
        File.Delete(temp);
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, login, CliJsonContext.Default.SavedLogin);
        }
        File.Move(temp, LoginFile, overwrite: true);
    }

    public bool Delete()
    {
        if (!File.Exists(LoginFile)) return false;
        File.Delete(LoginFile);
        return true;
    }
}
