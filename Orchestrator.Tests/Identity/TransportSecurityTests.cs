using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Identity;

// The manager serves HTTPS through Kestrel's standard certificate settings, with a certificate from a private
// CA made here; the node reaches it only when MANAGER_CA_FILE (or MANAGER_CERT_SHA256) says to trust it.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class TransportSecurityTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string AdminPassword = "tls-test-admin-password";
    private const string BootstrapToken = "tls-test-bootstrap-enrollment-token-0123456789";

    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-tls-").FullName;
    private readonly RedisHost _redis = new();
    private readonly int _managerPort = FreePort.Next();
    private ChildProcess? _manager;
    private string _caFile = "";
    private string _serverFingerprint = "";

    private string ManagerUrl => $"https://127.0.0.1:{_managerPort}";

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        var (caPem, certPem, keyPem, fingerprint) = CreateCertificates();
        _caFile = Write("ca.crt", caPem);
        _serverFingerprint = fingerprint;
        _manager = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Manager").WithEnvironment(new Dictionary<string, string>
        {
            ["REDIS_URL"] = _redis.Url,
            ["JWT_SECRET"] = "tls-test-jwt-secret-of-at-least-32-characters",
            ["MASTER_SECRET_KEY"] = "a-test-master-secret-key-of-at-least-32-characters",
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["BOOTSTRAP_ENROLLMENT_TOKEN"] = BootstrapToken,
            ["BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS"] = "1",
            ["HEARTBEAT_INTERVAL"] = "1",
            ["ASPNETCORE_URLS"] = ManagerUrl,
            ["Kestrel__Certificates__Default__Path"] = Write("server.crt", certPem),
            ["Kestrel__Certificates__Default__KeyPath"] = Write("server.key", keyPem),
        }));
        using var http = TrustingClient();
        await Testing.Deadline.UntilAsync(async () =>
        {
            try { return (await http.GetAsync(ManagerUrl + "/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, Deadline, "the manager to answer over HTTPS");
    }

    [Fact]
    public async Task NodeReachesAnHttpsManagerWithItsPrivateCaAndRefusesItWithout()
    {
        // Without the CA the node cannot trust the manager: nothing is sent, nothing registers.
        await using (var untrusting = StartNode("untrusting", new()))
        {
            await Testing.Deadline.UntilAsync(() => Task.FromResult(untrusting.Log.Contains("SSL", StringComparison.OrdinalIgnoreCase)),
                Deadline, "the node to report the untrusted certificate");
            Assert.Equal("degraded", await ConnectionStatusAsync(untrusting));
            Assert.Null(await ContainerAsync("untrusting-cluster"));
        }

        await using var trusting = StartNode("trusting", new() { ["MANAGER_CA_FILE"] = _caFile });
        var container = await Testing.Deadline.PollAsync(() => ContainerAsync("trusting-cluster"), Deadline, "the node to enroll over HTTPS");
        Assert.Equal("1", (string?)container["metadata"]!["orchestrator_id"]);
    }

    [Fact]
    public async Task NodePinningTheManagersCertificateReachesItAndAWrongPinIsRefused()
    {
        await using (var wrong = StartNode("wrong-pin", new() { ["MANAGER_CERT_SHA256"] = new string('A', 64) }))
        {
            await Testing.Deadline.UntilAsync(() => Task.FromResult(wrong.Log.Contains("SSL", StringComparison.OrdinalIgnoreCase)),
                Deadline, "the node to refuse the unpinned certificate");
            Assert.Null(await ContainerAsync("wrong-pin-cluster"));
        }
        await using var pinned = StartNode("pinned", new() { ["MANAGER_CERT_SHA256"] = _serverFingerprint });
        await Testing.Deadline.PollAsync(() => ContainerAsync("pinned-cluster"), Deadline, "the pinned node to enroll");
    }

    private ChildProcess StartNode(string name, Dictionary<string, string> extra)
    {
        var data = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
        var environment = SeedVariables.Compose(ManagerUrl, FreePort.Next(), data);
        environment.Remove("ADMIN_PASSWORD");
        environment["ENROLLMENT_TOKEN"] = BootstrapToken;
        environment["CONTAINER_NAME"] = name + "-cluster";
        environment["Manager__RetryMaxDelay"] = "00:00:01";
        foreach (var (key, value) in extra) environment[key] = value;
        var node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(environment));
        _nodes[node] = int.Parse(environment["AGENT_PORT"]);
        return node;
    }

    private readonly Dictionary<ChildProcess, int> _nodes = [];

    private async Task<string?> ConnectionStatusAsync(ChildProcess node)
    {
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{_nodes[node]}/health";
        return await Testing.Deadline.PollAsync(async () =>
        {
            try { return (string?)JsonNode.Parse(await http.GetStringAsync(url))!["checks"]!["manager-connection"]!["status"]; }
            catch (HttpRequestException) { return null; }
        }, Deadline, "the node's health");
    }

    private async Task<JsonNode?> ContainerAsync(string name)
    {
        using var http = TrustingClient();
        var login = await http.PostAsJsonAsync(ManagerUrl + "/api/v1/auth/token", new { username = "admin", password = AdminPassword });
        var token = (string)JsonNode.Parse(await login.Content.ReadAsStringAsync())!["access_token"]!;
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var list = JsonNode.Parse(await http.GetStringAsync(ManagerUrl + "/api/v1/cluster/containers"))!["containers"]!.AsArray();
        return list.FirstOrDefault(c => (string?)c!["container_name"] == name && (string?)c["status"] == "healthy");
    }

    // The test's own client trusts the test CA the same way the node does.
    private HttpClient TrustingClient()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(_caFile);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(certificate);
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    // A self-signed CA and a server certificate for 127.0.0.1/localhost it issued.
    private static (string CaPem, string CertPem, string KeyPem, string Fingerprint) CreateCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Orchestrator Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(8));
        return (ca.ExportCertificatePem(), server.ExportCertificatePem(), serverKey.ExportPkcs8PrivateKeyPem(),
            Convert.ToHexString(SHA256.HashData(server.RawData)));
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_manager is not null) await _manager.DisposeAsync();
        await _redis.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
