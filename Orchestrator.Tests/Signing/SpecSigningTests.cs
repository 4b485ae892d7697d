using System.Text.Json;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Tests.Signing;

// The signed form of an agent spec is defined by docs/protocol.md, not by our code: a key made by openssl and a
// signature made by another implementation (Python's cryptography, computing the canonical JSON itself) are
// accepted, and every altered, unsigned or unknown-key spec is refused with the check that failed.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class SpecSigningTests
{
    private const string Config = """{"image":"127.0.0.1:5000/bot@sha256:4b1f0a","env":{"MODE":"paper","Z":"é\n"},"resources":{"cpus":0.5,"memory_mb":256},"command":["/bot","--x"]}""";

    private static JsonElement Spec(string json = Config) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void ASpecSignedByAnotherImplementationOfTheCanonicalFormIsAccepted()
    {
        using var dir = new TempDirectory();
        var key = OpensslKey(dir, "vendor.pem");
        var script = """
            import base64, json, sys
            from cryptography.hazmat.primitives.serialization import load_pem_private_key
            key = load_pem_private_key(open(sys.argv[1], "rb").read(), password=None)
            payload = {"format": "orchestrator-agent-spec/v1", "agent_type": "container", "agent_config": json.loads(sys.argv[2]), "tenant": "acme"}
            canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            print(base64.b64encode(canonical).decode())
            print(base64.b64encode(key.sign(canonical)).decode())
            """;
        var run = Run("/usr/bin/python3", "-c", script, Path.Combine(dir.Path, "vendor.pem"), Config);
        var lines = run.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(Convert.FromBase64String(lines[0]), SignedSpec.CanonicalBytes("container", Spec(), "acme"));
        var trusted = new Dictionary<string, NSec.Cryptography.PublicKey> { ["vendor-2026"] = SpecSigning.ImportPublicKey(SpecSigning.PublicKeyOf(key)) };
        Assert.Null(SpecSigning.Check(new SpecSignature("vendor-2026", "ed25519", lines[1], "acme"), trusted, "container", Spec(), "acme"));
    }

    [Fact]
    public void AnAlteredUnsignedOrUnknownKeySpecIsRefusedNamingTheCheck()
    {
        using var dir = new TempDirectory();
        var key = OpensslKey(dir, "vendor.pem");
        var other = OpensslKey(dir, "other.pem");
        var trusted = new Dictionary<string, NSec.Cryptography.PublicKey> { ["vendor"] = SpecSigning.ImportPublicKey(SpecSigning.PublicKeyOf(key)) };
        var signature = SpecSigning.Sign(key, "vendor", "container", Spec(), "acme");
        Assert.Null(SpecSigning.Check(signature, trusted, "container", Spec(), "acme"));

        var altered = Config.Replace("sha256:4b1f0a", "sha256:666666", StringComparison.Ordinal);
        Assert.StartsWith("altered", SpecSigning.Check(signature, trusted, "container", Spec(altered), "acme"));
        Assert.StartsWith("wrong tenant: signed for tenant 'acme'", SpecSigning.Check(signature, trusted, "container", Spec(), "another-tenant"));
        Assert.StartsWith("altered", SpecSigning.Check(signature with { Tenant = "" }, trusted, "container", Spec(), "another-tenant"));
        var anyTenant = SpecSigning.Sign(key, "vendor", "container", Spec(), "");
        Assert.Null(SpecSigning.Check(anyTenant, trusted, "container", Spec(), "another-tenant"));
        Assert.StartsWith("altered", SpecSigning.Check(signature, trusted, "process", Spec(), "acme"));
        Assert.StartsWith("unsigned", SpecSigning.Check(null, trusted, "container", Spec(), "acme"));
        Assert.StartsWith("unknown key 'other'", SpecSigning.Check(SpecSigning.Sign(other, "other", "container", Spec(), "acme"), trusted, "container", Spec(), "acme"));
        // A key id that is trusted but a signature by another key: altered, not accepted.
        Assert.StartsWith("altered", SpecSigning.Check(SpecSigning.Sign(other, "vendor", "container", Spec(), "acme"), trusted, "container", Spec(), "acme"));
    }

    [Fact]
    public void MemberOrderAndWhitespaceDoNotChangeTheSignedBytes()
    {
        var reordered = Spec("""{ "command":["/bot","--x"], "resources":{"memory_mb":256,"cpus":0.5}, "env":{"Z":"é\n","MODE":"paper"}, "image":"127.0.0.1:5000/bot@sha256:4b1f0a" }""");
        Assert.Equal(SignedSpec.CanonicalBytes("container", Spec(), "acme"), SignedSpec.CanonicalBytes("container", reordered, "acme"));
        Assert.Equal("""{"agent_config":{"a":[1,2.5,-3,true,null,"\"\\\u0001"]},"agent_type":"t","format":"orchestrator-agent-spec/v1","tenant":""}""",
            System.Text.Encoding.UTF8.GetString(SignedSpec.CanonicalBytes("t", Spec("""{"a":[1,2.50,-3e0,true,null,"\"\\\u0001"]}"""), "")));
    }

    [Fact]
    public void ATrustedKeysFileWithABadEntryNamesIt()
    {
        using var dir = new TempDirectory();
        var key = OpensslKey(dir, "vendor.pem");
        var path = Path.Combine(dir.Path, "trusted.json");
        File.WriteAllText(path, $$"""{"keys":[{"id":"a","public_key":"{{SpecSigning.PublicKeyOf(key)}}"},{"id":"b","public_key":"not-a-key"}]}""");
        var error = Assert.Throws<FormatException>(() => TrustedSigningKeys.Load(path));
        Assert.Contains("keys[1].public_key of 'b'", error.Message);
        File.WriteAllText(path, $$"""{"keys":[{"id":"a","public_key":"{{SpecSigning.PublicKeyOf(key)}}"}]}""");
        Assert.Equal(["a"], TrustedSigningKeys.Load(path).Keys);
    }

    private static string OpensslKey(TempDirectory dir, string name)
    {
        var path = Path.Combine(dir.Path, name);
        Run("openssl", "genpkey", "-algorithm", "ed25519", "-out", path);
        return File.ReadAllText(path);
    }

    private static string Run(string file, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"{file} did not exit");
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
        return output.Result;
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("spec-signing-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
