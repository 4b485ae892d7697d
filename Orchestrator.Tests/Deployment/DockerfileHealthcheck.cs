using System.Text.Json;

namespace Orchestrator.Tests.Deployment;

// The exec-form command of a Dockerfile's HEALTHCHECK, so tests can run exactly what Docker would run.
public static class DockerfileHealthcheck
{
    public static IReadOnlyList<string> Command(string dockerfile)
    {
        var joined = File.ReadAllText(dockerfile).Replace("\\\n", " ", StringComparison.Ordinal);
        var line = joined.Split('\n').Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        var json = line[(line.IndexOf(" CMD [", StringComparison.Ordinal) + 5)..];
        return JsonSerializer.Deserialize<string[]>(json)!;
    }
}
