using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Abuse;

// One manager process and a real redis-server with the seed's lockout (5 failures per client and username),
// called over a loopback socket. The client address is what the manager believes: the socket (127.0.0.1),
// or X-Forwarded-For when the socket is a TRUSTED_PROXIES address.
public abstract class LoginLockoutCluster : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    protected abstract ProcessClusterOptions Options { get; }

    public async Task InitializeAsync() => Cluster = await ProcessCluster.StartAsync(Options);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (Cluster is not null) await Cluster.DisposeAsync();
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object body, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Cluster.Managers[0].Url + path) { Content = JsonContent.Create(body) };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> LoginAsync(string username, string password, string? forwardedFor = null, string? containerName = null) =>
        PostAsync(ManagerRoutes.Token, containerName is null ? new { username, password } : new { username, password, container_name = containerName }, forwardedFor);

    // A fresh single-use enrollment token of one tenant, and a node enrolled with one (its container_id and credential).
    public async Task<string> TokenAsync(string tenant = "7") =>
        (await Cluster.Api.CreateEnrollmentTokenAsync(new(JsonDocument.Parse($"\"{tenant}\"").RootElement, 3600, 1, null, null, null))).Token;

    public async Task<HttpResponseMessage> EnrollAsync(string token, string name, string? forwardedFor = null) =>
        await PostAsync(ManagerRoutes.Enroll, new
        {
            enrollment_token = token, container_name = name, host_address = "127.0.0.1", api_port = 8001,
            capabilities = new[] { "agent_runner" }, metadata = new { orchestrator_id = "7" },
        }, forwardedFor);

    public async Task<(string ContainerId, string Credential)> EnrollNodeAsync(string name)
    {
        var response = await EnrollAsync(await TokenAsync(), name);
        Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
        var enrolled = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse))!;
        return (enrolled.ContainerId, enrolled.Credential);
    }
}

public sealed class UntrustedLoopbackCluster : LoginLockoutCluster
{
    protected override ProcessClusterOptions Options => new()
    {
        Orchestrators = 0,
        ManagerEnvironment = new()
        {
            ["Manager__LoginFailureLimit"] = "5",
            ["Limits__DeploysPerSecondPerCaller"] = "2",
            ["Limits__RegistrationsPerSecondPerCaller"] = "2",
        },
    };
}

public sealed class TrustedLoopbackCluster : LoginLockoutCluster
{
    public const int GlobalLimit = 1_000;

    protected override ProcessClusterOptions Options => new()
    {
        Orchestrators = 1,
        ManagerEnvironment = new()
        {
            ["Manager__LoginFailureLimit"] = "5",
            ["Limits__GlobalLoginFailureLimit"] = GlobalLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TRUSTED_PROXIES"] = "127.0.0.1",
        },
    };
}

// No TRUSTED_PROXIES: X-Forwarded-For is nobody's word, from loopback as from anywhere.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class UntrustedForwardedForTests(UntrustedLoopbackCluster fixture) : IClassFixture<UntrustedLoopbackCluster>
{
    [Fact]
    public async Task WithoutTrustedProxiesASpoofedForwardedForFromLoopbackIsLockedOutAfterFive()
    {
        for (var i = 1; i <= 5; i++)
            await (await fixture.LoginAsync("admin", "wrong", forwardedFor: $"203.0.113.{i}")).AssertProblemAsync(401);
        var locked = await fixture.LoginAsync("admin", ProcessCluster.AdminPassword, forwardedFor: "203.0.113.6");
        await locked.AssertProblemAsync(429);
        Assert.NotNull(locked.Headers.RetryAfter);
    }

    // The other limits that use ClientPartition count an authenticated caller by its token, never by a header:
    // a burst spread over spoofed addresses still empties the caller's one bucket (2 a second here).
    [Fact]
    public async Task SpoofedForwardedForGivesNoFreshDeployOrRegistrationBucket()
    {
        var token = await fixture.Cluster.Api.GetTokenAsync();
        foreach (var (path, body) in new (string, object)[]
        {
            (ManagerRoutes.Deploy, new { agent_type = "process", agent_config = new { command = "/bin/true" } }),
            (ManagerRoutes.Register, new { container_name = "spoofed-bucket", host_address = "127.0.0.1", api_port = 8001 }),
        })
        {
            var statuses = await Task.WhenAll(Enumerable.Range(1, 30).Select(async i =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, fixture.Cluster.Managers[0].Url + path) { Content = JsonContent.Create(body) };
                request.Headers.Authorization = new("Bearer", token);
                request.Headers.Add("X-Forwarded-For", $"203.0.114.{i}");
                return (int)(await fixture.Http.SendAsync(request)).StatusCode;
            }));
            Assert.True(statuses.Count(s => s == 429) >= 10, $"{path}: {string.Join(",", statuses)}");
        }
    }
}

[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class LoginLockoutProcessTests(TrustedLoopbackCluster fixture) : IClassFixture<TrustedLoopbackCluster>
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task BehindATrustedProxyTheForwardedAddressIsTheOneLockedOut()
    {
        for (var i = 0; i < 5; i++) await (await fixture.LoginAsync("admin", "wrong", forwardedFor: "198.18.7.1")).AssertProblemAsync(401);
        await (await fixture.LoginAsync("admin", ProcessCluster.AdminPassword, forwardedFor: "198.18.7.1")).AssertProblemAsync(429);
        Assert.Equal(200, (int)(await fixture.LoginAsync("admin", ProcessCluster.AdminPassword, forwardedFor: "198.18.7.2")).StatusCode);
        Assert.Equal(200, (int)(await fixture.LoginAsync("admin", ProcessCluster.AdminPassword)).StatusCode);
    }

    // 2,000 usernames from one address, one wrong password each: twice the global ceiling, had each counted.
    [Fact]
    public async Task OneClientFloodingThousandsOfUsernamesLocksNobodyElseOut()
    {
        const string flooder = "198.51.100.66";
        var statuses = new int[2_000];
        await Parallel.ForEachAsync(Enumerable.Range(0, statuses.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            statuses[i] = (int)(await fixture.LoginAsync($"flood-{i}", "wrong", forwardedFor: flooder)).StatusCode);
        Assert.Equal(statuses.Length, statuses.Count(s => s == 401));

        var operatorCreated = await Cluster.Api.CreateOperatorAsync(new("flood-ops", ["7"], "operator"));
        Assert.Equal(200, (int)(await fixture.LoginAsync("admin", ProcessCluster.AdminPassword, forwardedFor: "198.51.100.1")).StatusCode);
        Assert.Equal(200, (int)(await fixture.LoginAsync(operatorCreated.Name, operatorCreated.ApiKey, forwardedFor: "198.51.100.2")).StatusCode);
        // A node enrolls and logs in from the flooder's own address (one customer site's NAT), and from another.
        var enrolled = await fixture.EnrollAsync(await fixture.TokenAsync(), "flood-node", forwardedFor: flooder);
        Assert.True((int)enrolled.StatusCode == 201, await enrolled.Content.ReadAsStringAsync());
        var credential = (await enrolled.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.EnrollResponse))!.Credential;
        Assert.Equal(200, (int)(await fixture.LoginAsync("cluster", credential, forwardedFor: flooder, containerName: "flood-node")).StatusCode);
        Assert.Equal(200, (int)(await fixture.LoginAsync("cluster", credential, forwardedFor: "198.51.100.3", containerName: "flood-node")).StatusCode);
    }

    // One customer site, one address: a revoked node retrying its login must not lock out its neighbours.
    [Fact]
    public async Task ARevokedNodeRetryingFromTheSameAddressLocksOutNoValidCredentialOrToken()
    {
        const string site = "198.51.100.77";
        var revoked = await fixture.EnrollNodeAsync("site-revoked");
        var neighbour = await fixture.EnrollNodeAsync("site-neighbour");
        await Cluster.Api.RevokeContainerAsync(revoked.ContainerId);
        for (var i = 0; i < 5; i++)
            await (await fixture.LoginAsync("cluster", revoked.Credential, forwardedFor: site, containerName: "site-revoked")).AssertProblemAsync(401);
        await (await fixture.LoginAsync("cluster", revoked.Credential, forwardedFor: site, containerName: "site-revoked")).AssertProblemAsync(429);

        Assert.Equal(200, (int)(await fixture.LoginAsync("cluster", neighbour.Credential, forwardedFor: site, containerName: "site-neighbour")).StatusCode);
        var enrolled = await fixture.EnrollAsync(await fixture.TokenAsync(), "site-newcomer", forwardedFor: site);
        Assert.True((int)enrolled.StatusCode == 201, await enrolled.Content.ReadAsStringAsync());
        // Guessing stays locked out: a wrong credential from that address is still refused with 429.
        await (await fixture.LoginAsync("cluster", "ctr-0000000000000000.guess", forwardedFor: site, containerName: "x")).AssertProblemAsync(429);
    }

    // The node process itself: told "revoked", it stops logging in; told its enrollment token is refused, it stops
    // enrolling. Retrying every second, as it did, put 5 failures against its site's address within seconds.
    [Fact]
    public async Task ANodeToldRevokedOrTokenRefusedStopsAskingTheManager()
    {
        var node = Cluster.Orchestrators[0];
        var container = await Cluster.ContainerAsync(node);
        await Cluster.Api.RevokeContainerAsync(container.ContainerId);
        var actor = $"cluster:{node.ContainerName}";
        await Cluster.WaitAsync(async () => await DeniedAsync(actor, "login") >= 1, TimeSpan.FromSeconds(30), "the revoked node's first refused login");
        // Its loops (heartbeat 1 s, long-poll, reports, retry base 0.2 s) would each have asked again by now.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(await DeniedAsync(actor, "login") <= 1, $"{await DeniedAsync(actor, "login")} refused logins\n{node.Log}");
        Assert.Contains("revoked", node.Log, StringComparison.Ordinal);

        // Started again without its credential and with an enrollment token the manager no longer knows.
        node.Kill();
        File.Delete(Path.Combine(node.DataDirectory, "node-credential"));
        var tokens = await Cluster.Api.ListEnrollmentTokensAsync();
        foreach (var token in tokens.Tokens) await Cluster.Api.DeleteEnrollmentTokenAsync(token.TokenId);
        await node.StartAsync();
        await Cluster.WaitAsync(async () => await DeniedAsync(actor, "enrollment_token.use") >= 1, TimeSpan.FromSeconds(30),
            "the node's first refused enrollment");
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(await DeniedAsync(actor, "enrollment_token.use") <= 1, $"{await DeniedAsync(actor, "enrollment_token.use")} refused enrollments\n{node.Log}");
    }

    private async Task<int> DeniedAsync(string actor, string action) =>
        (await Cluster.Api.GetAuditAsync(actor: actor, action: action, limit: 500)).Entries.Count(e => e.Outcome == "denied");
}
