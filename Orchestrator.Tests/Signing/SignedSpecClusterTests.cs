using System.Text.Json;
using System.Text.Json.Nodes;
using NSec.Cryptography;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Protocol.Signing;
using Orchestrator.Tests.Failure;
using StackExchange.Redis;

namespace Orchestrator.Tests.Signing;

// Real processes: node 1 runs SPEC_SIGNATURES=require (its customer pinned two vendor keys), node 2 monitor, node 3
// require with ON_KEY_REVOKED=keep (its own keys file). A spec changed in Redis by hand, an unsigned one and one whose
// key was removed are refused by the node (state rejected, nothing runs, audited); correctly signed specs run under
// either key; monitor runs an unsigned spec and says so; keep leaves a running agent of a removed key running.
// The node's journal (SignedSpecClusterTests.Journal.cs) uses node 2, which may run process agents (/bin/sh).
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed partial class SignedSpecClusterTests(SignedSpecClusterTests.Fixture fixture) : IClassFixture<SignedSpecClusterTests.Fixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ARequireNodeRunsSpecsSignedByEitherTrustedKeyAndRefusesForgedUnsignedAndRevokedOnes()
    {
        var cluster = fixture.Cluster;
        var node = cluster.Orchestrators[0];
        var byFirst = await DeployAsync(Signed(fixture.FirstKey, "vendor-a", "1"));
        var bySecond = await DeployAsync(Signed(fixture.SecondKey, "vendor-b", "1", tick: 300));
        var unsigned = await DeployAsync(Spec("1", 400));
        await StateAsync(byFirst, AgentStates.Running);
        await StateAsync(bySecond, AgentStates.Running);
        var refused = await StateAsync(unsigned.AgentId, AgentStates.Rejected);
        Assert.Contains("unsigned", refused.Error);
        Assert.DoesNotContain(unsigned.AgentId, await node.RunningAgentIdsAsync());

        // Forgery: the signed spec's config is changed in Redis by hand (the generation bumped as the manager does).
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var json = JsonNode.Parse((string)(await db.HashGetAsync(RedisKeys.DesiredAgents(byFirst.ContainerId), byFirst.AgentId))!)!;
        json["agent_config"]!["strategy"] = "mean_reversion";
        await db.HashSetAsync(RedisKeys.DesiredAgents(byFirst.ContainerId), byFirst.AgentId, json.ToJsonString());
        await db.HashIncrementAsync(RedisKeys.Container(byFirst.ContainerId), "generation");
        var forged = await StateAsync(byFirst.AgentId, AgentStates.Rejected);
        Assert.Contains("altered", forged.Error);
        Assert.DoesNotContain(byFirst.AgentId, await node.RunningAgentIdsAsync());
        var audit = await cluster.Api.GetAuditAsync(action: "agent.rejected");
        Assert.Contains(audit.Entries, e => e.Target == byFirst.AgentId && e.Actor == $"cluster:{node.ContainerName}");
        Assert.Contains(audit.Entries, e => e.Target == unsigned.AgentId);

        // Rotation: the customer removes the second key; its spec is refused at the next reconcile.
        fixture.WriteKeys(("vendor-a", fixture.FirstKey));
        await db.HashIncrementAsync(RedisKeys.Container(bySecond.ContainerId), "generation");
        var revoked = await StateAsync(bySecond.AgentId, AgentStates.Rejected);
        Assert.Contains("unknown key 'vendor-b'", revoked.Error);
        Assert.DoesNotContain(bySecond.AgentId, await node.RunningAgentIdsAsync());
    }

    [Fact]
    public async Task WithOnKeyRevokedKeepAnAgentWhoseKeyWasRemovedKeepsRunningWhileANewSpecOfThatKeyIsRefused()
    {
        var cluster = fixture.Cluster;
        var node = cluster.Orchestrators[2];
        var kept = await DeployAsync(Signed(fixture.SecondKey, "vendor-b", "3", tick: 700));
        await StateAsync(kept, AgentStates.Running);
        var before = await node.LocalAgentAsync(kept.AgentId);

        // The customer of node 3 removes the second key: unlike the stop case above, its running agent stays.
        fixture.WriteKeys(fixture.KeepKeysFile, ("vendor-a", fixture.FirstKey));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        await redis.GetDatabase().HashIncrementAsync(RedisKeys.Container(kept.ContainerId), "generation");
        var view = await cluster.PollAsync(async () =>
        {
            var agent = await cluster.Api.GetAgentAsync(kept.AgentId);
            return agent.Error?.Contains("ON_KEY_REVOKED=keep", StringComparison.Ordinal) == true ? agent : null;
        }, Deadline, "node 3 to report the kept agent's failed check");
        Assert.Equal(AgentStates.Running, view.State);
        Assert.Contains("unknown key 'vendor-b'", view.Error);
        var after = await node.LocalAgentAsync(kept.AgentId);
        Assert.Contains(kept.AgentId, await node.RunningAgentIdsAsync());
        Assert.Equal(before.StartedAt, after.StartedAt);
        Assert.Equal(0, after.Restarts);

        // Keep covers what already runs, never a new spec of the removed key.
        var fresh = await DeployAsync(Signed(fixture.SecondKey, "vendor-b", "3", tick: 800));
        var refused = await StateAsync(fresh.AgentId, AgentStates.Rejected);
        Assert.Contains("unknown key 'vendor-b'", refused.Error);
        Assert.DoesNotContain(fresh.AgentId, await node.RunningAgentIdsAsync());
    }

    [Fact]
    public async Task AMonitorNodeRunsAnUnsignedSpecAndReportsTheFailedCheck()
    {
        var placed = await DeployAsync(Spec("2", 500));
        var agent = await fixture.Cluster.PollAsync(async () =>
        {
            var view = await fixture.Cluster.Api.GetAgentAsync(placed.AgentId);
            return view.State == AgentStates.Running && view.Error is not null ? view : null;
        }, Deadline, "the unsigned agent running on the monitor node with its failed check reported");
        Assert.Contains("SPEC_SIGNATURES=monitor", agent.Error);
        Assert.Contains("unsigned", agent.Error);
    }

    [Fact]
    public async Task TheManagerRefusesASignatureOfTheWrongShapeNamingTheField()
    {
        var body = Spec("1", 600) with { Signature = new SpecSignature("", "rsa", "not-base64") };
        var refused = await Assert.ThrowsAsync<ManagerProblemException>(() => fixture.Cluster.Api.DeployAsync(body));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(["signature.algorithm", "signature.key_id", "signature.value"], refused.FieldErrors.Keys.Order());

        // A signed container spec must pin its image by digest: a tag could point to other code tomorrow.
        var config = JsonSerializer.SerializeToElement(new { image = "127.0.0.1:5000/bot:1.0" });
        var container = new DeployRequest("container", config, null) with
        {
            Signature = SpecSigning.Sign(fixture.FirstKey, "vendor-a", "container", config, ""),
        };
        var tagged = await Assert.ThrowsAsync<ManagerProblemException>(() => fixture.Cluster.Api.DeployAsync(container));
        Assert.Contains("agent_config.image", tagged.FieldErrors.Keys);
    }

    private static DeployRequest Spec(string tenant, int tick) =>
        new("trading_agent", JsonSerializer.SerializeToElement(new { strategy = "momentum", tick_interval_ms = tick }), null,
            Constraints: new DeployConstraints(null, JsonSerializer.SerializeToElement(tenant), null));

    private static DeployRequest Signed(string privateKeyPem, string keyId, string tenant, int tick = 200)
    {
        var spec = Spec(tenant, tick);
        return spec with { Signature = SpecSigning.Sign(privateKeyPem, keyId, spec.AgentType!, spec.AgentConfig!.Value, tenant) };
    }

    private async Task<PlacedAgent> DeployAsync(DeployRequest request) => (await fixture.Cluster.Api.DeployAsync(request)).Agents.Single();

    private Task StateAsync(PlacedAgent agent, string state) => StateAsync(agent.AgentId, state);

    private Task<AgentView> StateAsync(string agentId, string state) => fixture.Cluster.PollAsync(async () =>
    {
        var view = await fixture.Cluster.Api.GetAgentAsync(agentId);
        return view.State == state ? view : null;
    }, Deadline, $"{agentId} to be {state}");

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("signed-specs-").FullName;

        public string FirstKey { get; } = NewKey();
        public string SecondKey { get; } = NewKey();
        public string KeysFile => Path.Combine(_directory, "trusted-keys.json");
        // Node 3's own keys file (ON_KEY_REVOKED=keep), so its rotation does not touch node 1's.
        public string KeepKeysFile => Path.Combine(_directory, "trusted-keys-keep.json");
        // Where the journal test's process agent keeps its crash count and waits for its go.
        public string Scratch => Path.Combine(_directory, "scratch");
        public ProcessCluster Cluster { get; private set; } = null!;

        public void WriteKeys(params (string Id, string PrivateKeyPem)[] keys) => WriteKeys(KeysFile, keys);

        public void WriteKeys(string path, params (string Id, string PrivateKeyPem)[] keys)
        {
            var file = new JsonObject
            {
                ["keys"] = new JsonArray(keys.Select(k => (JsonNode)new JsonObject { ["id"] = k.Id, ["public_key"] = SpecSigning.PublicKeyOf(k.PrivateKeyPem) }).ToArray()),
            };
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, file.ToJsonString());
            File.Move(temporary, path, overwrite: true);
        }

        public async Task InitializeAsync()
        {
            WriteKeys(("vendor-a", FirstKey), ("vendor-b", SecondKey));
            WriteKeys(KeepKeysFile, ("vendor-a", FirstKey), ("vendor-b", SecondKey));
            Directory.CreateDirectory(Scratch);
            Cluster = await ProcessCluster.StartAsync(new()
            {
                Orchestrators = 3,
                OrchestratorEnvironment = new() { ["TRUSTED_SIGNING_KEYS"] = KeysFile, ["ALLOWED_COMMANDS"] = "/bin/sh" },
                // Node 1 leaves SPEC_SIGNATURES unset: keys configured means require.
                OrchestratorEnvironmentOf = new()
                {
                    [2] = new() { ["SPEC_SIGNATURES"] = "monitor" },
                    [3] = new() { ["TRUSTED_SIGNING_KEYS"] = KeepKeysFile, ["ON_KEY_REVOKED"] = "keep" },
                },
            });
        }

        public async Task DisposeAsync()
        {
            if (Cluster is not null) await Cluster.DisposeAsync();
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        }

        private static string NewKey()
        {
            using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            return System.Text.Encoding.ASCII.GetString(key.Export(KeyBlobFormat.PkixPrivateKeyText));
        }
    }
}
