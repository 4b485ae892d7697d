using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Manager.Auth;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Abuse;

// Redis reports every write (keyspace notifications), so each rejected request can be checked for having
// changed nothing, and the whole run against a snapshot taken before it.
public sealed class FuzzFixture : AbuseManagerFixture
{
    // Written after each request; its own notification marks the end of that request's notifications.
    public const string FenceKey = "fuzz-fence";

    private ConnectionMultiplexer? _redis;
    private long _fencesSent;
    private long _fencesSeen;
    private readonly SemaphoreSlim _fenceArrived = new(0);

    public ConnectionMultiplexer Connection => _redis!;

    public ConcurrentQueue<string> Writes { get; } = new();
    public ISubscriber Subscriber => _redis!.GetSubscriber();
    public FuzzTargets Targets { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString + ",allowAdmin=true");
        await _redis.GetServers()[0].ConfigSetAsync("notify-keyspace-events", "KA");
        // A message queue, not a handler: handlers run concurrently, so a notification could be counted after
        // the next request had begun (a write then looked unexplained); the queue keeps Redis's order.
        var notifications = await Subscriber.SubscribeAsync(RedisChannel.Pattern("__keyspace@0__:*"));
        notifications.OnMessage(message =>
        {
            var key = message.Channel.ToString()["__keyspace@0__:".Length..];
            if (key == FenceKey)
            {
                Interlocked.Increment(ref _fencesSeen);
                _fenceArrived.Release();
            }
            else if (message.Message != "expired" && message.Message != "evicted") Writes.Enqueue(key + " " + message.Message);
        });

        using var admin = await Manager.CreateAdminClientAsync();
        var containerId = await admin.RegisterAsync("fuzz_type", "9", maxAgents: 50);
        var agent = await admin.DeployOkAsync(new { agent_type = "fuzz_type" });
        var container = await admin.GetContainerAsync(containerId);
        Targets = new FuzzTargets(containerId, agent.Agents[0].AgentId,
            await TokenAsync(new { username = "admin", password = ManagerFactory.AdminPassword }),
            await TokenAsync(new { username = "cluster", password = ManagerFactory.AdminPassword, container_name = container.ContainerName }),
            await TokenAsync(new { username = "cluster", password = ManagerFactory.AdminPassword, container_name = "someone-else" }),
            ForeignToken());
    }

    // Returns once every write notification sent before it has been queued in Writes: Redis sends the
    // fence's own notification after them, and the queue hands them over in order.
    public async Task FenceAsync()
    {
        var fence = Interlocked.Increment(ref _fencesSent);
        await _redis!.GetDatabase().StringSetAsync(FenceKey, fence);
        while (Interlocked.Read(ref _fencesSeen) < fence)
            if (!await _fenceArrived.WaitAsync(TimeSpan.FromSeconds(10)))
                throw new TimeoutException("the keyspace notification of the write fence never arrived");
    }

    public override async Task DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<string> TokenAsync(object login)
    {
        using var client = Manager.CreateClient("127.0.0.1");
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", login);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    // An admin token signed with another key: well-formed, never valid.
    private static string ForeignToken() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = TokenIssuer.Issuer,
        Audience = TokenIssuer.Audience,
        Claims = new Dictionary<string, object> { [ManagerClaims.Subject] = "admin", [ManagerClaims.Role] = Roles.Admin },
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(new string('k', 48))), SecurityAlgorithms.HmacSha256),
    });
}

// A property-based fuzzer over every route: random and mutated bodies, content types, ids, sizes, queries and
// tokens. No request may get a 5xx; every 4xx is problem+json; a rejected request writes nothing to Redis.
// One sample is a whole run of requests, so a seed repeats the run exactly: the fixed seed runs in every
// build, and a fresh random seed each run widens the search (CsCheck prints the seed of a failing run;
// set CsCheck_Seed to repeat it).
[Trait(TestLevel.Name, TestLevel.Api)]
public class ContractFuzzTests(FuzzFixture fixture, ITestOutputHelper output) : IClassFixture<FuzzFixture>
{
    public const string FixedSeed = "0000001diBw7";
    private const int RequestsPerRun = 5_000;

    // Writes a rejected request may make: counting failed logins is the point of refusing them.
    private static readonly string[] AllowedWrites = ["orchestrator:{login-failures}:", "orchestrator:leases:", FuzzFixture.FenceKey];

    [Fact]
    public Task FixedSeedRunBreaksNoContract() => RunAsync(FixedSeed);

    [Fact]
    public Task RandomSeedRunBreaksNoContract() => RunAsync(null);

    private async Task RunAsync(string? seed)
    {
        await FuzzCase.Gen.Array[RequestsPerRun].SampleAsync(async cases =>
        {
            var db = fixture.Connection.GetDatabase();
            // What Redis should hold: the snapshot before the run, updated only by what accepted requests wrote.
            var expected = new Dictionary<string, string>((await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString, key => !IsAllowed(key))).Entries);
            var statuses = new Dictionary<int, int>();
            using var client = fixture.Manager.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(20);
            for (var i = 0; i < cases.Length; i++)
            {
                var fuzz = cases[i];
                fixture.Writes.Clear();
                var (status, mediaType, body) = await SendAsync(client, fuzz);
                await fixture.FenceAsync(); // every write notification of this request has arrived
                var written = fixture.Writes.ToArray().Select(w => w[..w.LastIndexOf(' ')]).Where(k => !IsAllowed(k)).Distinct().ToList();
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                var context = $"request {i} ({fuzz}) answered {status}: {Shorten(body)}";
                if (status >= 500) throw new InvalidOperationException("5xx: " + context);
                if (status >= 400 && mediaType != "application/problem+json") throw new InvalidOperationException($"not problem+json ({mediaType}): " + context);
                foreach (var key in written)
                {
                    var now = await RedisSnapshot.ValueAsync(db, key);
                    if (status >= 400 && now != expected.GetValueOrDefault(key))
                        throw new InvalidOperationException($"a rejected request changed Redis key {key}: " + context);
                    if (now is null) expected.Remove(key); else expected[key] = now;
                }
            }
            var after = await RedisSnapshot.TakeAsync(fixture.Redis.ConnectionString, key => !IsAllowed(key));
            var unexplained = new RedisSnapshot(expected).Differences(after);
            if (unexplained.Count > 0) throw new InvalidOperationException("Redis changed where no accepted request wrote: " + string.Join(", ", unexplained.Take(10)));
            output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        }, seed: seed, iter: 1, threads: 1, writeLine: output.WriteLine, print: cases => $"a run of {cases.Length} requests");
    }

    private async Task<(int Status, string? MediaType, string Body)> SendAsync(HttpClient client, FuzzCase fuzz)
    {
        using var request = fuzz.ToRequest(fixture.Targets);
        using var timeout = new CancellationTokenSource(fuzz.IsLongPoll ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(20));
        try
        {
            using var response = await client.SendAsync(request, timeout.Token);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
        }
        catch (OperationCanceledException) when (fuzz.IsLongPoll)
        {
            return (200, "held", ""); // a valid long-poll held open: the contract, not a failure
        }
    }

    private static bool IsAllowed(string keyOrWrite) => AllowedWrites.Any(prefix => keyOrWrite.StartsWith(prefix, StringComparison.Ordinal));

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
