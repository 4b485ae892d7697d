using System.Text;
using Orchestrator.Agent.Workloads;
using Orchestrator.Agent.Workloads.Containers;
using Orchestrator.Agent.Workloads.Secrets;

namespace Orchestrator.Tests.Secrets;

// A container engine's log stream arrives in chunks cut anywhere: a value split across chunks, or across a long
// line's forced cut, is still redacted; registry credentials come from an image_pull_secret's JSON.
[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class StreamRedactionTests
{
    private const string Secret = "s3cr3t-value-0123456789";

    [Fact]
    public void AValueSplitAcrossEveryPossibleChunkBoundaryIsRedactedInTheLineItCompletes()
    {
        var text = Encoding.UTF8.GetBytes($"first\nkey={Secret} and é after\nlast");
        for (var cut = 1; cut < text.Length; cut++)
        {
            var reader = new RedactingLineReader(new SecretRedactor([Secret]));
            var lines = reader.Feed(text.AsSpan(0, cut)).Concat(reader.Feed(text.AsSpan(cut))).ToList();
            if (reader.Flush() is { } rest) lines.Add(rest);
            Assert.Equal(["first", $"key={SecretRedactor.Marker} and é after", "last"], lines);
        }
    }

    [Fact]
    public void ALineLongerThanTheLimitIsCutWithoutLettingAValueThroughThatStraddlesTheCut()
    {
        for (var offset = 0; offset < Secret.Length + 2; offset++)
        {
            var reader = new RedactingLineReader(new SecretRedactor([Secret]), maxLineChars: 64);
            var line = new string('x', 64 - offset) + Secret + new string('y', 100);
            var pieces = reader.Feed(Encoding.UTF8.GetBytes(line + "\n")).ToList();
            Assert.True(pieces.Count >= 2, $"offset {offset}: one piece");
            Assert.DoesNotContain(Secret, string.Concat(pieces));
            Assert.Contains(SecretRedactor.Marker, string.Concat(pieces));
        }
    }

    [Theory]
    [InlineData("2026-12-07T11:02:03.123456789Z", "2026-12-07T11:02:03.1234567+00:00")]
    [InlineData("2026-12-07T11:02:03.5Z", "2026-12-07T11:02:03.5000000+00:00")]
    [InlineData("2026-12-07T12:02:03.000000001+01:00", "2026-12-07T11:02:03.0000000+00:00")]
    public void AnEngineTimestampWithNanosecondsIsRead(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ContainerLogFollower.ParseTime(text));

    [Fact]
    public void PullCredentialsComeFromAConfigJsonOrAUsernamePasswordSecretForTheImagesRegistryOnly()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("vendor:pull-pass"));
        var configJson = """{"auths": {"https://registry.example:5000": {"auth": "ENCODED"}}}""".Replace("ENCODED", encoded, StringComparison.Ordinal);
        var auth = ContainerEngine.AuthFrom(configJson, "registry.example:5000/bots/trader", "image_pull_secret");
        Assert.Equal(("vendor", "pull-pass", "registry.example:5000"), (auth!.Username, auth.Password, auth.ServerAddress));
        Assert.Null(ContainerEngine.AuthFrom(configJson, "other.example/bots/trader", "image_pull_secret"));

        var plain = """{"username": "u", "password": "p-123456", "serveraddress": "registry.example:5000"}""";
        Assert.Equal("p-123456", ContainerEngine.AuthFrom(plain, "registry.example:5000/bots/trader", "s")!.Password);
        Assert.Contains("pull-pass", RegistryAuth.Passwords(configJson));

        var refused = Assert.Throws<AgentConfigException>(() => ContainerEngine.AuthFrom("not json " + "pull-pass", "registry.example:5000/x", "agent_config.image_pull_secret"));
        Assert.Contains("agent_config.image_pull_secret", refused.Message);
        Assert.DoesNotContain("pull-pass", refused.Message);
    }
}
