namespace Orchestrator.ServiceDefaults;

// Which variables a `process` agent's agent_config.env may set. Shared by the manager (400 at deploy) and the
// node (refuses to start the agent), so a manager that skipped the check still cannot hijack a node's program.
// Refused: names that make a loader, shell or runtime run code the command did not choose (LD_PRELOAD,
// BASH_ENV, NODE_OPTIONS, ...), and PATH, which would pick a different program than ALLOWED_COMMANDS allows.
public static class ProcessEnvironmentPolicy
{
    private static readonly string[] RefusedPrefixes = ["LD_", "DYLD_", "BASH_FUNC_", "CORECLR_", "COR_", "COMPlus_", "DOTNET_"];

    private static readonly HashSet<string> RefusedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "PROMPT_COMMAND", "IFS", "CDPATH", "GLIBC_TUNABLES", "GCONV_PATH",
        "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PYTHONINSPECT", "PYTHONUSERBASE", "PYTHONBREAKPOINT",
        "PERL5OPT", "PERL5LIB", "PERLLIB", "PERL5DB", "NODE_OPTIONS", "NODE_PATH", "NODE_EXTRA_CA_CERTS",
        "RUBYOPT", "RUBYLIB", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH",
        "GIT_SSH_COMMAND", "GIT_EXEC_PATH", "LUA_INIT", "LUA_PATH", "LUA_CPATH", "TCLLIBPATH", "R_PROFILE", "R_PROFILE_USER",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "TMPDIR",
    };

    // Null when the name may be set; otherwise why not.
    public static string? Refusal(string name)
    {
        if (name.Length is 0 or > 128 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return $"'{name}' is not a variable name (letters, digits and '_', not starting with a digit, up to 128)";
        if (RefusedNames.Contains(name) || RefusedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            return $"'{name}' could make the program run other code, so agent_config.env may not set it";
        return null;
    }
}
