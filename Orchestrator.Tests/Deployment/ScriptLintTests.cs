using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait(TestLevel.Name, TestLevel.Deployment)]
public class ScriptLintTests
{
    public static TheoryData<string> Scripts => new() { DeploymentFiles.DeployScript, DeploymentFiles.KitScript, "samples/build-trading-bot-image.sh" };

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task ScriptParsesWithBashN(string script)
    {
        var run = await ScriptRun.RunAsync("bash", ["-n", Path.Combine(RepoPaths.Root, script)]);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [ShellcheckTheory]
    [MemberData(nameof(Scripts))]
    public async Task ScriptPassesShellcheck(string script)
    {
        var run = await ScriptRun.RunAsync("/usr/bin/shellcheck", ["--severity=style", Path.Combine(RepoPaths.Root, script)]);
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ScriptIsExecutable(string script)
    {
        var mode = File.GetUnixFileMode(Path.Combine(RepoPaths.Root, script));
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"{script} is not executable: chmod +x it");
    }
}

// Skips, saying why, only where shellcheck is missing; scripts/install-prerequisites.sh installs it for CI.
public sealed class ShellcheckTheoryAttribute : TheoryAttribute
{
    public ShellcheckTheoryAttribute()
    {
        if (!File.Exists("/usr/bin/shellcheck")) Skip = "shellcheck is not installed: apt-get install shellcheck (or bash scripts/install-prerequisites.sh)";
    }
}
