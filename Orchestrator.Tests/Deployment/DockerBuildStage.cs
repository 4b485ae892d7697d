using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Deployment;

// Runs the build stage of a Dockerfile without Docker: each COPY copies from the build context into a
// scratch folder standing for the image's filesystem, each RUN runs there with bash, in order. What the
// Docker engine would add (the SDK image itself) is this machine's SDK. So a COPY list that misses a file
// the build needs fails here as it would in `docker build`.
public static partial class DockerBuildStage
{
    private static readonly HashSet<string> IgnoredFolders = ["bin", "obj", ".data", "TestResults"]; // as .dockerignore

    [GeneratedRegex(@"(?<=^|\s)/(?<root>src|app)(?=/|\s|$)")]
    private static partial Regex ImagePath();

    public static async Task RunAsync(string dockerfile, string context, string imageRoot)
    {
        string Map(string path) => ImagePath().Replace(path, m => Path.Combine(imageRoot, m.Groups["root"].Value));
        var lines = File.ReadAllText(dockerfile).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
        var stage = lines.SkipWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("FROM ", StringComparison.Ordinal));
        var workdir = imageRoot;
        foreach (var line in stage)
        {
            var (instruction, rest) = (line[..line.IndexOf(' ')], line[(line.IndexOf(' ') + 1)..].Trim());
            switch (instruction)
            {
                case "WORKDIR":
                    workdir = Map(rest);
                    Directory.CreateDirectory(workdir);
                    break;
                case "COPY":
                    var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var target = Path.GetFullPath(Path.Combine(workdir, Map(parts[^1])));
                    foreach (var source in parts[..^1]) Copy(Path.Combine(context, source), target, source.EndsWith('/'));
                    break;
                case "RUN":
                    var run = await ScriptRun.RunAsync("bash", ["-c", Map(rest)], deadline: TimeSpan.FromMinutes(4), workingDirectory: workdir);
                    Assert.True(run.ExitCode == 0, $"{Path.GetFileName(dockerfile)}: RUN {rest}\n{run}");
                    break;
                default:
                    throw new InvalidOperationException($"{Path.GetFileName(dockerfile)}: {instruction} in the build stage is not understood by this test");
            }
        }
    }

    private static void Copy(string source, string target, bool folderContents)
    {
        if (folderContents || Directory.Exists(source))
        {
            Assert.True(Directory.Exists(source), $"COPY source {source} is missing from the build context");
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(source, file);
                if (relative.Split('/').Any(IgnoredFolders.Contains)) continue;
                var destination = Path.Combine(target, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination, overwrite: true);
            }
            return;
        }
        Assert.True(File.Exists(source), $"COPY source {source} is missing from the build context");
        Directory.CreateDirectory(target);
        File.Copy(source, Path.Combine(target, Path.GetFileName(source)), overwrite: true);
    }
}
