using System.Text.RegularExpressions;
using Orchestrator.Tests.Deployment;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Tests.Abuse;

// Every service of both compose files runs hardened, and keeps a health check.
[Trait(TestLevel.Name, TestLevel.Deployment)]
public class HardenedComposeTests
{
    public static TheoryData<string, string> Services()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in new[] { DeploymentFiles.CentralCompose, DeploymentFiles.OrchestratorCompose })
            foreach (var service in ComposeFile.Load(file).ServiceNames) data.Add(Path.GetFileName(file), service);
        return data;
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void EveryServiceIsReadOnlyWithoutCapabilitiesOrPrivilegeGainAndWithMemoryAndProcessLimits(string file, string service)
    {
        var compose = ComposeFile.Load(Path.Combine(RepoPaths.Root, file));
        Assert.Equal("true", compose.Scalar(service, "read_only"));
        Assert.Contains("/tmp", compose.List(service, "tmpfs"));
        Assert.Equal(["ALL"], compose.List(service, "cap_drop"));
        Assert.Empty(compose.List(service, "cap_add"));
        Assert.Contains("no-new-privileges:true", compose.List(service, "security_opt"));
        Assert.Matches("^[0-9]+[kmg]$", compose.Scalar(service, "mem_limit") ?? "");
        Assert.True(int.TryParse(compose.Scalar(service, "pids_limit"), out var pids) && pids is > 0 and <= 4096, $"{service} pids_limit");
        Assert.Null(compose.Scalar(service, "privileged"));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void EveryServiceKeepsAHealthCheck(string file, string service)
    {
        var compose = ComposeFile.Load(Path.Combine(RepoPaths.Root, file));
        var node = compose.Service(service);
        if (node.Children.TryGetValue(new YamlScalarNode("healthcheck"), out var check))
        {
            Assert.NotEqual("true", ((YamlMappingNode)check).Children.TryGetValue(new YamlScalarNode("disable"), out var off) ? off.ToString() : null);
            Assert.True(((YamlMappingNode)check).Children.ContainsKey(new YamlScalarNode("test")), $"{service} healthcheck has a test");
            return;
        }
        // Else its image's Dockerfile carries the HEALTHCHECK.
        var dockerfile = compose.Scalar(service, "build", "dockerfile");
        Assert.True(dockerfile is not null, $"{service} has neither a compose healthcheck nor a Dockerfile of its own");
        Assert.Matches(new Regex("^HEALTHCHECK ", RegexOptions.Multiline), File.ReadAllText(Path.Combine(RepoPaths.Root, dockerfile)));
    }

    [Fact]
    public void TheRedisPasswordIsNeverOnRedisServersCommandLine()
    {
        var compose = ComposeFile.Load(DeploymentFiles.CentralCompose);
        Assert.DoesNotContain(compose.List("redis", "command"), part => part.Contains("REDIS_PASSWORD", StringComparison.Ordinal) || part.Contains("requirepass"));
    }

    // curl -H "Authorization: Bearer $TOKEN" shows the token to anyone who can list processes: scripts pass
    // headers through --config or -H @file instead.
    [Fact]
    public void NoScriptPutsATokenOrPasswordOnACommandLine()
    {
        var scripts = Directory.GetFiles(Path.Combine(RepoPaths.Root, "scripts"), "*.sh")
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "bench"), "*.sh"));
        var onCommandLine = new Regex(@"(-H|--header)\s+[""']?Authorization|Bearer \$|--user\s|-u\s+[""']?\$\{?ADMIN|requirepass\s+\$", RegexOptions.IgnoreCase);
        foreach (var script in scripts)
        {
            var lines = File.ReadAllLines(script).Select((text, i) => (text, line: i + 1))
                .Where(l => !l.text.TrimStart().StartsWith('#') && onCommandLine.IsMatch(l.text)).ToList();
            Assert.True(lines.Count == 0, $"{script}: {string.Join("; ", lines.Select(l => $"line {l.line}: {l.text.Trim()}"))}");
        }
    }
}
