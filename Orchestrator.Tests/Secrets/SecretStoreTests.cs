using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Secrets;
using Orchestrator.Protocol;
using Orchestrator.Tests.Abuse;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Tenants;
using StackExchange.Redis;

namespace Orchestrator.Tests.Secrets;

// Tenant secrets: write-only over the API, sealed with AES-GCM in Redis, scoped like every tenant object, and
// still readable after MASTER_SECRET_KEY is rotated.
[Trait(TestLevel.Name, TestLevel.Api)]
public class SecretStoreTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task ASecretIsListedWithItsVersionButItsValueAppearsInNoAnswerRedisValueOrAuditEntry()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        var value = "exchange-key-" + Guid.NewGuid().ToString("N");
        using var scoped = await Manager.CreateScopedClientAsync(admin, "operator", tenant);

        var first = await PutAsync(scoped, tenant, "binance-key", value + "-old");
        var second = await PutAsync(scoped, tenant, "binance-key", value);
        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal(first.CreatedAt, second.CreatedAt);

        var listing = await scoped.GetAsync(ManagerRoutes.TenantSecrets.Replace("{id}", tenant));
        var body = await listing.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        var listed = Assert.Single(System.Text.Json.JsonSerializer.Deserialize(body, ProtocolJsonContext.Default.SecretListResponse)!.Secrets);
        Assert.Equal(("binance-key", 2), (listed.Name, listed.Version));
        Assert.DoesNotContain(value, body);

        var audit = await (await admin.GetAsync(ManagerRoutes.Audit + "?tenant=" + tenant)).Content.ReadAsStringAsync();
        Assert.Contains("secret.put", audit);
        Assert.DoesNotContain(value, audit);
        var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString + ",allowAdmin=true");
        await using (redis)
        {
            var snapshot = await RedisSnapshot.TakeAsync(redis);
            Assert.DoesNotContain(snapshot.Entries, e => e.Value.Contains(value, StringComparison.Ordinal));
            Assert.Contains(snapshot.Entries, e => e.Key.Contains("{secrets}:tenant:" + tenant, StringComparison.Ordinal));
            foreach (var stream in new[] { "orchestrator:{audit}:log", "orchestrator:{events}" })
                foreach (var entry in await redis.GetDatabase().StreamRangeAsync(stream))
                    Assert.DoesNotContain(entry.Values, v => v.Value.ToString().Contains(value, StringComparison.Ordinal));
        }
        Assert.Equal(value, await Manager.Services.GetRequiredService<SecretStore>().OpenAsync(tenant, "binance-key"));
    }

    [Fact]
    public async Task AnotherTenantsOperatorGets404AndAViewerMayListButNotSet()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var (mine, theirs) = (TenantClients.UniqueTenant(), TenantClients.UniqueTenant());
        await PutAsync(admin, theirs, "api-key", "their-value");
        using var other = await Manager.CreateScopedClientAsync(admin, "operator", mine);
        using var viewer = await Manager.CreateScopedClientAsync(admin, "viewer", theirs);

        await (await other.GetAsync(SecretsOf(theirs))).AssertProblemAsync(404);
        await (await other.PutAsJsonAsync(SecretsOf(theirs) + "/api-key", new { value = "overwrite" })).AssertProblemAsync(404);
        await (await other.DeleteAsync(SecretsOf(theirs) + "/api-key")).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(SecretsOf(theirs))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync(SecretsOf(theirs) + "/api-key", new { value = "x" })).StatusCode);
        Assert.Equal("their-value", await Manager.Services.GetRequiredService<SecretStore>().OpenAsync(theirs, "api-key"));
    }

    [Fact]
    public async Task BadInputIsA400NamingTheFieldAndDeletingTwiceIsA404()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        Assert.True((await (await admin.PutAsJsonAsync(SecretsOf(tenant) + "/k", new { value = "" })).AssertProblemAsync(400)).Names("value"));
        Assert.True((await (await admin.PutAsJsonAsync(SecretsOf(tenant) + "/k", new { })).AssertProblemAsync(400)).Names("value"));
        Assert.True((await (await admin.PutAsJsonAsync(SecretsOf(tenant) + "/bad%20name", new { value = "v" })).AssertProblemAsync(400)).Names("name"));
        await PutAsync(admin, tenant, "k", "v");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(SecretsOf(tenant) + "/k")).StatusCode);
        await (await admin.DeleteAsync(SecretsOf(tenant) + "/k")).AssertProblemAsync(404);
    }

    [Fact]
    public async Task ASealedValueCopiedToAnotherNameDoesNotOpen()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var tenant = TenantClients.UniqueTenant();
        await PutAsync(admin, tenant, "a", "value-of-a");
        await PutAsync(admin, tenant, "b", "value-of-b");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var key = "orchestrator:{secrets}:tenant:" + tenant;
        await redis.GetDatabase().HashSetAsync(key, "b", await redis.GetDatabase().HashGetAsync(key, "a"));
        Assert.Null(await Manager.Services.GetRequiredService<SecretStore>().OpenAsync(tenant, "b"));
    }

    [Fact]
    public async Task AfterAKeyRotationEverySecretOpensUnderTheNewKeyAloneOnceTheStartUpPassHasRun()
    {
        await using var redisHost = new RedisHost();
        await redisHost.StartAsync();
        const string oldKey = "the-old-master-secret-key-of-at-least-32-chars";
        const string newKey = "the-new-master-secret-key-of-at-least-32-chars";
        var tenant = TenantClients.UniqueTenant();
        var values = Enumerable.Range(0, 20).ToDictionary(i => $"s{i}", i => $"value-{i}-{Guid.NewGuid():N}");

        await using (var before = new ManagerFactory(redisHost, new() { ["Manager:MasterSecretKey"] = oldKey }))
        {
            using var admin = await before.CreateAdminClientAsync();
            foreach (var (name, value) in values) await PutAsync(admin, tenant, name, value);
        }
        await using (var rotating = new ManagerFactory(redisHost, new() { ["Manager:MasterSecretKey"] = newKey, ["Manager:MasterSecretKeyPrevious"] = oldKey }))
        {
            using var admin = await rotating.CreateAdminClientAsync();
            var newKeyId = rotating.Services.GetRequiredService<SecretCipher>().CurrentKeyId;
            await Deadline.UntilAsync(async () =>
                (await admin.GetFromJsonAsync(SecretsOf(tenant), ProtocolJsonContext.Default.SecretListResponse))!.Secrets.All(s => s.KeyId == newKeyId),
                TimeSpan.FromSeconds(30), "every secret re-encrypted under the new key");
        }
        await using var after = new ManagerFactory(redisHost, new() { ["Manager:MasterSecretKey"] = newKey });
        var store = after.Services.GetRequiredService<SecretStore>();
        foreach (var (name, value) in values) Assert.Equal(value, await store.OpenAsync(tenant, name));
        await using var wrong = new ManagerFactory(redisHost, new() { ["Manager:MasterSecretKey"] = oldKey });
        Assert.Null(await wrong.Services.GetRequiredService<SecretStore>().OpenAsync(tenant, "s0"));
    }

    private static string SecretsOf(string tenant) => ManagerRoutes.TenantSecrets.Replace("{id}", tenant);

    private static async Task<SecretView> PutAsync(HttpClient client, string tenant, string name, string value)
    {
        var response = await client.PutAsJsonAsync(SecretsOf(tenant) + "/" + name, new PutSecretRequest(value), ProtocolJsonContext.Default.PutSecretRequest);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.SecretView))!;
    }
}
