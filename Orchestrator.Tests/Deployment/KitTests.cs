using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait(TestLevel.Name, TestLevel.Deployment)]
public class KitTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-kit-test-").FullName;

    // What a customer needs, as the seed's onboarding lists it, plus the sources Dockerfile.agent builds.
    private static readonly string[] ExpectedTopLevel =
    [
        ".dockerignore", ".env.orchestrator.example", "DEPLOYMENT.md", "Directory.Build.props", "Directory.Packages.props",
        "Dockerfile.agent", "Orchestrator.Agent", "Orchestrator.Protocol", "Orchestrator.ServiceDefaults", "README.md", "deploy-orchestrator.sh",
        "docker-compose.engine.yml", "docker-compose.orchestrator.yml", "docker-compose.signing.yml",
    ];

    private string Kit => Path.Combine(_directory, "orchestrator-deployment-kit");

    [Fact]
    public async Task KitHoldsExactlyWhatACustomerNeeds()
    {
        var run = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", Kit]);
        Assert.True(run.ExitCode == 0, run.ToString());

        var topLevel = Directory.EnumerateFileSystemEntries(Kit).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedTopLevel, topLevel);
        var files = Directory.EnumerateFiles(Kit, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Kit, f)).ToList();
        Assert.DoesNotContain(files, f => f.Split('/').Any(part => part is "bin" or "obj" or ".data") || f.EndsWith("launchSettings.json"));
        Assert.Contains("Orchestrator.Agent/Orchestrator.Agent.csproj", files);
        Assert.Contains("Orchestrator.Agent/Program.cs", files);
        Assert.Contains("Orchestrator.ServiceDefaults/Orchestrator.ServiceDefaults.csproj", files);
        Assert.DoesNotContain(files, f => f.StartsWith("Orchestrator.Manager", StringComparison.Ordinal));
        foreach (var copied in new[] { "docker-compose.orchestrator.yml", "Dockerfile.agent", ".env.orchestrator.example" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, copied)), File.ReadAllText(Path.Combine(Kit, copied)));
        }
        Assert.True(File.GetUnixFileMode(Path.Combine(Kit, "deploy-orchestrator.sh")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task KitsDeployScriptFindsTheComposeFileBesideIt()
    {
        var run = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", Kit]);
        Assert.True(run.ExitCode == 0, run.ToString());
        // No settings file yet: the script must get past locating the compose file and ask for one.
        var deploy = await ScriptRun.RunAsync("bash", [Path.Combine(Kit, "deploy-orchestrator.sh"), "--dry-run"], new Dictionary<string, string>());
        Assert.Equal(1, deploy.ExitCode);
        Assert.Equal([$"deploy-orchestrator: error: settings file {Kit}/.env.orchestrator not found: copy .env.orchestrator.example to it and fill it in"], deploy.ErrorLines);
    }

    [Fact]
    public async Task TarballUnpacksIntoTheKitFolder()
    {
        var run = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", Path.Combine(_directory, "kit"), "--tarball"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var list = await ScriptRun.RunAsync("tar", ["-tzf", Path.Combine(_directory, "kit.tar.gz")]);
        Assert.True(list.ExitCode == 0, list.ToString());
        var entries = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(entries, e => Assert.StartsWith("orchestrator-deployment-kit/", e));
        Assert.Contains("orchestrator-deployment-kit/deploy-orchestrator.sh", entries);
        Assert.Contains("orchestrator-deployment-kit/docker-compose.orchestrator.yml", entries);
    }

    // Issue 12: a kit carries this customer's enrollment token and nothing that logs in as admin.
    [Fact]
    public async Task KitWithATokenHoldsItInAPrivateSettingsFileAndNoAdminPasswordAnywhere()
    {
        const string token = "0123456789ab.0123456789abcdef0123456789abcdef0123456789abcdef";
        var run = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", Kit, "--token", token, "--orchestrator-id", "acme"],
            new Dictionary<string, string> { ["ADMIN_PASSWORD"] = "the-vendors-admin-password-42" });
        Assert.True(run.ExitCode == 0, run.ToString());

        var settings = Path.Combine(Kit, ".env.orchestrator");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settings));
        var values = DotenvFile.Parse(settings).Values;
        Assert.Equal(token, values["ENROLLMENT_TOKEN"]);
        Assert.Equal("acme", values["ORCHESTRATOR_ID"]);
        foreach (var file in Directory.EnumerateFiles(Kit, "*", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("the-vendors-admin-password-42", text);
            if (!file.EndsWith(".md", StringComparison.Ordinal) && !file.EndsWith(".cs", StringComparison.Ordinal))
                Assert.DoesNotMatch(@"(?m)^\s*#?\s*ADMIN_PASSWORD\s*[=:]", text);
        }
    }

    // Issue 29: the vendor pins its public signing keys into the customer's kit, so the node requires signed specs.
    [Fact]
    public async Task KitWithTrustedKeysPinsTheVendorsKeysWithSpecSignaturesRequireAndRefusesAPrivateKey()
    {
        using var vendor = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519,
            new NSec.Cryptography.KeyCreationParameters { ExportPolicy = NSec.Cryptography.KeyExportPolicies.AllowPlaintextExport });
        var privatePem = System.Text.Encoding.ASCII.GetString(vendor.Export(NSec.Cryptography.KeyBlobFormat.PkixPrivateKeyText));
        var keys = Path.Combine(_directory, "vendor-keys.json");
        File.WriteAllText(keys, $$"""{"keys":[{"id":"vendor-2026","public_key":"{{Orchestrator.Protocol.Signing.SpecSigning.PublicKeyOf(privatePem)}}"}]}""");
        const string token = "0123456789ab.0123456789abcdef0123456789abcdef0123456789abcdef";

        var run = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", Kit, "--token", token, "--orchestrator-id", "acme", "--trusted-keys", keys]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var pinned = Path.Combine(Kit, "trusted-keys.json");
        Assert.Equal(File.ReadAllText(keys), File.ReadAllText(pinned));
        // The node's own loader reads what the kit pinned.
        Assert.Equal(["vendor-2026"], Orchestrator.Protocol.Signing.TrustedSigningKeys.Load(pinned).Keys);
        var settings = DotenvFile.Parse(Path.Combine(Kit, ".env.orchestrator")).Values;
        Assert.Equal("./trusted-keys.json", settings["TRUSTED_KEYS_FILE"]);
        Assert.Equal("require", settings["SPEC_SIGNATURES"]);
        Assert.Equal(token, settings["ENROLLMENT_TOKEN"]);
        // The overlay the deploy script adds gives the node the mounted file and require, from those settings.
        var overlay = ComposeFile.Load(Path.Combine(Kit, "docker-compose.signing.yml"));
        var environment = overlay.Environment(DeploymentFiles.OrchestratorService)
            .ToDictionary(e => e.Key, e => ComposeInterpolation.Evaluate(e.Value, settings));
        Assert.Equal("/etc/orchestrator/trusted-keys.json", environment["TRUSTED_SIGNING_KEYS"]);
        Assert.Equal("require", environment["SPEC_SIGNATURES"]);
        Assert.Equal(["./trusted-keys.json:/etc/orchestrator/trusted-keys.json:ro"],
            overlay.List(DeploymentFiles.OrchestratorService, "volumes").Select(v => ComposeInterpolation.Evaluate(v, settings)));

        // A vendor handing out its private key by mistake is stopped before any kit is written.
        var secret = Path.Combine(_directory, "vendor.pem");
        File.WriteAllText(secret, privatePem);
        var other = Path.Combine(_directory, "other-kit");
        var refused = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", other, "--trusted-keys", secret]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("holds a private key", Assert.Single(refused.ErrorLines));
        Assert.False(Directory.Exists(other));
    }

    [Fact]
    public async Task KitScriptRefusesATokenWithoutAnOrchestratorId()
    {
        var run = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", Kit, "--token", "0123456789ab.0123456789abcdef0123456789abcdef"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--orchestrator-id is required", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task KitScriptRefusesToOverwriteAFolderThatIsNotAKit()
    {
        var precious = Path.Combine(_directory, "precious");
        Directory.CreateDirectory(precious);
        File.WriteAllText(Path.Combine(precious, "notes.txt"), "keep me");
        var run = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", precious]);
        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.ErrorLines);
        Assert.True(File.Exists(Path.Combine(precious, "notes.txt")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
