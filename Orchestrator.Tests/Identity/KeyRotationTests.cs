using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Identity;

// JWT_SECRET rotation: JWT_SECRET signs, JWT_PREVIOUS_SECRETS still verify; each token names its key (kid).
[Trait(TestLevel.Name, TestLevel.Api)]
public class KeyRotationTests : IAsyncLifetime
{
    private const string OldSecret = "old-jwt-secret-of-at-least-32-characters!!";
    private const string NewSecret = "new-jwt-secret-of-at-least-32-characters!!";
    private readonly RedisHost _redis = new();

    public Task InitializeAsync() => _redis.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task TokenSignedWithAPreviousSecretIsAcceptedWhileListedAndRefusedAfterRemoval()
    {
        string oldToken;
        await using (var before = Manager(new() { ["Manager:JwtSecret"] = OldSecret }))
        {
            using var admin = await before.CreateAdminClientAsync();
            oldToken = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        }

        await using (var rotating = Manager(new() { ["Manager:JwtSecret"] = NewSecret, ["Manager:JwtPreviousSecrets:0"] = OldSecret }))
        {
            Assert.Equal(200, await StatusWithAsync(rotating, oldToken));
            // New tokens are signed with the new secret, and say so.
            using var admin = await rotating.CreateAdminClientAsync();
            var fresh = new JsonWebTokenHandler().ReadJsonWebToken(admin.DefaultRequestHeaders.Authorization!.Parameter);
            var old = new JsonWebTokenHandler().ReadJsonWebToken(oldToken);
            Assert.NotEqual(old.Kid, fresh.Kid);
        }

        await using var rotated = Manager(new() { ["Manager:JwtSecret"] = NewSecret });
        Assert.Equal(401, await StatusWithAsync(rotated, oldToken));
    }

    [Fact]
    public async Task PreviousSecretsAreReadFromTheSeedStyleVariable()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["JWT_PREVIOUS_SECRETS"] = $"{OldSecret}, {NewSecret}" });
        Orchestrator.Manager.Extensions.SeedEnvironment.AddSeedEnvironment(configuration);
        Assert.Equal(OldSecret, configuration["Manager:JwtPreviousSecrets:0"]);
        Assert.Equal(NewSecret, configuration["Manager:JwtPreviousSecrets:1"]);
        await Task.CompletedTask;
    }

    private ManagerFactory Manager(Dictionary<string, string?> settings) => new(_redis, settings);

    private static async Task<int> StatusWithAsync(ManagerFactory manager, string token)
    {
        using var client = manager.CreateClient("10.9.5.1");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (int)(await client.GetAsync("/api/v1/cluster/status")).StatusCode;
    }
}
