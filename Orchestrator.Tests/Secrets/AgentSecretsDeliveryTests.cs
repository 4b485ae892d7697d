using System.Net;
using System.Text;
using System.Text.Json;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Tests.Abuse;
using Orchestrator.Tests.Failure;
using StackExchange.Redis;

namespace Orchestrator.Tests.Secrets;

// Real processes: redis-server, the manager and one node whose ALLOWED_COMMANDS runs /bin/sh. A process agent references
// two secrets (env and file); the values reach it, and nothing else the system keeps or shows holds them.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class AgentSecretsDeliveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task AReferencedSecretReachesOnlyItsAgentIsRedactedInItsOutputAndIsWipedWhenTheAgentIsDeleted()
    {
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 1,
            OrchestratorEnvironment = new() { ["ALLOWED_COMMANDS"] = "/bin/sh" },
        });
        var node = cluster.Orchestrators[0];
        var tenant = node.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var apiKey = "api-key-" + Guid.NewGuid().ToString("N");
        var pem = "pem-body-" + Guid.NewGuid().ToString("N");
        await cluster.Api.PutSecretAsync(tenant, "exchange-key", apiKey);
        await cluster.Api.PutSecretAsync(tenant, "tls-key", pem);

        // A reference to a secret the tenant lacks, an unpinned agent, and a file name with a path: each a 400 naming the field.
        var missing = await RefusedAsync(cluster, Config(tenant, "/dev/null", new { EXCHANGE_API_KEY = "no-such-secret" }, null));
        Assert.Contains("agent_config.secrets.EXCHANGE_API_KEY", missing.FieldErrors.Keys);
        var unpinned = await RefusedAsync(cluster, Config(null, "/dev/null", new { EXCHANGE_API_KEY = "exchange-key" }, null));
        Assert.Contains("agent_config.orchestrator_id", unpinned.FieldErrors.Keys);
        var traversal = await RefusedAsync(cluster, Config(tenant, "/dev/null", null, new Dictionary<string, string> { ["../key.pem"] = "tls-key" }));
        Assert.Contains("agent_config.secret_files.../key.pem", traversal.FieldErrors.Keys);
        var hook = await RefusedAsync(cluster, Config(tenant, "/dev/null", new { LD_PRELOAD = "exchange-key" }, null));
        Assert.Contains("agent_config.secrets.LD_PRELOAD", hook.FieldErrors.Keys);

        var outFile = Path.Combine(Directory.CreateTempSubdirectory("secrets-agent-out-").FullName, "seen.txt");
        var deployed = await cluster.Api.DeployAsync(new DeployRequest("process",
            Config(tenant, outFile, new { EXCHANGE_API_KEY = "exchange-key" }, new Dictionary<string, string> { ["key.pem"] = "tls-key" }), null));
        var agentId = deployed.Agents[0].AgentId;

        // The agent saw both values, and its secret files live in SECRETS_DIR, a 0700 directory outside DATA_DIR.
        var seen = await cluster.PollAsync(async () =>
        {
            await Task.Yield();
            return File.Exists(outFile) && File.ReadAllLines(outFile) is { Length: >= 3 } lines ? lines : null;
        }, Deadline, "the agent to write what it was given");
        Assert.Equal(apiKey, seen[0]);
        Assert.Equal(pem, seen[1]);
        var secretsDir = seen[2];
        Assert.True(Directory.Exists(secretsDir), secretsDir);
        Assert.False(Path.GetFullPath(secretsDir).StartsWith(Path.GetFullPath(node.DataDirectory), StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(secretsDir));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(secretsDir, "key.pem")));
        }

        // The line printing the value shows [redacted] in the node's local API.
        var output = await cluster.PollAsync(async () =>
            (await node.AgentAsync(agentId))?.Figures?["output"]?.ToJsonString() is { } o && o.Contains("value is", StringComparison.Ordinal) ? o : null,
            Deadline, "the agent's output line in the node's local API");
        Assert.Contains("value is [redacted]", output);

        // Nowhere else: API answers, audit, every Redis value (streams included: events), the manager's and the node's logs,
        // and every file under the node's DATA_DIR (its saved desired state holds the values sealed).
        var scan = new SecretScan().Secret("the api key", apiKey).Secret("the pem", pem);
        scan.Scan("agents list", JsonSerializer.Serialize(await cluster.Api.ListAllAgentsAsync()));
        scan.Scan("agent", JsonSerializer.Serialize(await cluster.Api.GetAgentAsync(agentId)));
        scan.Scan("audit", JsonSerializer.Serialize(await cluster.Api.GetAuditAsync(tenant: tenant)));
        scan.Scan("node local API", JsonSerializer.Serialize(await node.AgentsAsync()));
        scan.Scan("redis", await RedisTextAsync(cluster.Redis.ConnectionString));
        scan.Scan("logs", cluster.Logs(2000));
        foreach (var file in Directory.EnumerateFiles(node.DataDirectory, "*", SearchOption.AllDirectories))
            scan.Scan(file, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        Assert.True(File.Exists(Path.Combine(node.DataDirectory, "desired-state.json")));
        Assert.Contains("sealed_secrets", await File.ReadAllTextAsync(Path.Combine(node.DataDirectory, "desired-state.json")));
        Assert.Empty(scan.Findings);

        // Deleted: its secret files are gone.
        await cluster.Api.DeleteAgentAsync(agentId);
        await cluster.WaitAsync(() => Task.FromResult(!Directory.Exists(secretsDir)), Deadline, "the deleted agent's secret files to be wiped");
    }

    private static JsonElement Config(string? tenant, string outFile, object? secrets, Dictionary<string, string>? files) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["command"] = "/bin/sh",
            ["args"] = new[]
            {
                "-c",
                $"printf '%s\\n' \"$EXCHANGE_API_KEY\" > '{outFile}.tmp'; cat \"$SECRETS_DIR/key.pem\" >> '{outFile}.tmp'; echo >> '{outFile}.tmp'; "
                + $"echo \"$SECRETS_DIR\" >> '{outFile}.tmp'; mv '{outFile}.tmp' '{outFile}'; echo \"value is $EXCHANGE_API_KEY\"; exec sleep 600",
            },
            ["orchestrator_id"] = tenant,
            ["secrets"] = secrets,
            ["secret_files"] = files,
        }.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));

    private static async Task<ManagerProblemException> RefusedAsync(ProcessCluster cluster, JsonElement config)
    {
        var refused = await Assert.ThrowsAsync<ManagerProblemException>(() => cluster.Api.DeployAsync(new DeployRequest("process", config, null)));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        return refused;
    }

    // Every key's value as text, streams (events, audit) entry by entry.
    private static async Task<string> RedisTextAsync(string connectionString)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        var db = redis.GetDatabase();
        var text = new StringBuilder();
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: "*", pageSize: 1000))
        {
            var name = key.ToString();
            if (await db.KeyTypeAsync(name) == RedisType.Stream)
                foreach (var entry in await db.StreamRangeAsync(name))
                    text.AppendLine($"{name} {string.Join(" ", entry.Values.Select(v => $"{v.Name}={v.Value}"))}");
            else text.AppendLine($"{name} {await RedisSnapshot.ValueAsync(db, name)}");
        }
        return text.ToString();
    }
}
