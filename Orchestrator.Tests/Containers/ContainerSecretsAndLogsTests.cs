using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Protocol;
using Orchestrator.Tests.Abuse;
using Orchestrator.Tests.Failure;

namespace Orchestrator.Tests.Containers;

// Real processes on one real podman service: redis-server, the manager and one node that may run `container`
// agents. A container agent references two secrets (env and file) and prints one of them; the values reach the
// container, its log reaches the manager redacted, and the node cut off from the manager, then killed and started
// again, adopts the container (never restarts it) and ships the rest of its log without repeating a line.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed partial class ContainerSecretsAndLogsTests(ContainerEngineFixture engine) : IClassFixture<ContainerEngineFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    // The manager keeps every line this test prints (the default keeps 512 per agent).
    private const int Retained = 8192;

    [SkippableFact]
    public async Task AContainerSeesItsSecretsAsEnvAndTmpfsFilesItsLogReachesTheManagerRedactedAndACutOffRestartedNodeAdoptsItAndResumesItsLogWithoutRepeats()
    {
        Skip.If(engine.Unavailable is not null, engine.Unavailable);
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 1,
            NodeCapabilities = ["agent_runner", "orchestrator_cluster", ContainerAgentConfig.Capability],
            OrchestratorEnvironment = new(engine.Podman.NodeEnvironment) { ["Containers__InspectPeriod"] = "00:00:00.25" },
            ManagerEnvironment = new() { ["LOG_RETENTION_BYTES"] = (Retained * LogStreams.EntryBudgetBytes).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        });
        var node = cluster.Orchestrators[0];
        engine.Track(node.ContainerName);
        await cluster.WaitAsync(async () => (await cluster.ContainerAsync(node)).Capabilities.Contains(ContainerAgentConfig.Capability),
            TimeSpan.FromSeconds(90), "the node to advertise the container capability (its engine answers)");

        var tenant = node.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var apiKey = "api-key-" + Guid.NewGuid().ToString("N");
        var pem = "pem-body-" + Guid.NewGuid().ToString("N");
        await cluster.Api.PutSecretAsync(tenant, "exchange-key", apiKey);
        await cluster.Api.PutSecretAsync(tenant, "tls-key", pem);
        var config = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["image"] = engine.Busybox.DigestReference,
            ["command"] = new[]
            {
                "sh", "-c",
                "echo \"value is $EXCHANGE_API_KEY\"; echo \"on stderr $EXCHANGE_API_KEY\" >&2; echo \"file holds $(cat $SECRETS_DIR/key.pem)\"; "
                + "i=0; while :; do echo line $i; i=$((i+1)); sleep 0.05; done",
            },
            ["network"] = "none",
            ["orchestrator_id"] = tenant,
            ["secrets"] = new { EXCHANGE_API_KEY = "exchange-key" },
            ["secret_files"] = new Dictionary<string, string> { ["key.pem"] = "tls-key" },
        });
        var agentId = (await cluster.Api.DeployAsync(new DeployRequest(ContainerAgentConfig.AgentType, config, null))).Agents[0].AgentId;
        var running = await cluster.PollAsync(async () => await node.AgentAsync(agentId) is { State: AgentStates.Running } a ? a : null,
            Deadline, "the node to run the container agent");
        var container = (string)running.Figures!["container_id"]!;

        // Inside: the env value, and the file on a tmpfs at /run/secrets that the container cannot write.
        Assert.Equal(apiKey, await engine.PodmanAsync("exec", container, "sh", "-c", "echo $EXCHANGE_API_KEY"));
        Assert.Equal(pem, await engine.PodmanAsync("exec", container, "cat", "/run/secrets/key.pem"));
        Assert.Equal("tmpfs", await engine.PodmanAsync("exec", container, "stat", "-f", "-c", "%T", "/run/secrets"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => engine.PodmanAsync("exec", container, "touch", "/run/secrets/x"));
        var source = await engine.PodmanAsync("inspect", "--format", "{{range .Mounts}}{{if eq .Destination \"/run/secrets\"}}{{.Source}}{{end}}{{end}}", container);
        Assert.False(Path.GetFullPath(source).StartsWith(Path.GetFullPath(node.DataDirectory), StringComparison.Ordinal), source);

        // The manager's log: the lines printing a value show [redacted], on stdout and stderr.
        var lines = await cluster.PollAsync(async () => (await cluster.Api.GetAgentLogsAsync(agentId, tail: Retained)).Lines is var l
            && l.Any(x => x.Text.StartsWith("line 20", StringComparison.Ordinal)) ? l : null, Deadline, "the container's lines in the manager's log");
        Assert.Contains(lines, l => l.Text == "value is [redacted]" && l.Stream == LogStreams.Stdout);
        Assert.Contains(lines, l => l.Text == "on stderr [redacted]" && l.Stream == LogStreams.Stderr);
        Assert.Contains(lines, l => l.Text == "file holds [redacted]");

        // Cut off, the container keeps running; the node killed and started again (still cut off) adopts it.
        var startedAt = await engine.PodmanAsync("inspect", "--format", "{{.State.StartedAt}}", container);
        node.CutOffFromManager();
        await cluster.WaitAsync(async () => (await cluster.ContainerAsync(node)).Status != "healthy", Deadline, "the manager to miss the node");
        Assert.Equal(AgentStates.Running, (await node.AgentAsync(agentId))!.State);
        node.Kill();
        Assert.Equal("true", await engine.PodmanAsync("inspect", "--format", "{{.State.Running}}", container));
        await node.StartAsync();
        var adopted = await cluster.PollAsync(async () => await node.AgentAsync(agentId) is { State: AgentStates.Running } a ? a : null,
            Deadline, "the restarted node to adopt the container");
        Assert.Equal(container, (string)adopted.Figures!["container_id"]!);
        Assert.Equal(0, adopted.Restarts);
        Assert.Equal(running.StartedAt, adopted.StartedAt);
        Assert.Equal(startedAt, await engine.PodmanAsync("inspect", "--format", "{{.State.StartedAt}}", container));
        Assert.Equal(pem, await engine.PodmanAsync("exec", container, "cat", "/run/secrets/key.pem"));

        // Back in touch: lines printed while cut off and after arrive, each once and in order, none lost.
        node.ReconnectToManager();
        var seenBefore = LastNumber(lines);
        var after = await cluster.PollAsync(async () => (await cluster.Api.GetAgentLogsAsync(agentId, tail: Retained)).Lines is var l
            && LastNumber(l) > seenBefore + 200 ? l : null, Deadline, "the lines since the cut to reach the manager");
        var numbers = after.Select(l => LineNumber().Match(l.Text)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(0, numbers[0]);
        for (var i = 1; i < numbers.Count; i++) Assert.True(numbers[i] == numbers[i - 1] + 1, $"line {numbers[i]} after line {numbers[i - 1]}");
        Assert.Single(after, l => l.Text == "value is [redacted]");

        // No value in plain text anywhere under the node's DATA_DIR (its desired state holds them sealed), nor in the shipped log.
        var scan = new SecretScan().Secret("the api key", apiKey).Secret("the pem", pem);
        foreach (var file in Directory.EnumerateFiles(node.DataDirectory, "*", SearchOption.AllDirectories))
            scan.Scan(file, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        scan.Scan("manager log", JsonSerializer.Serialize(after));
        Assert.Empty(scan.Findings);

        // Deleted: the container and its secret files are gone.
        await cluster.Api.DeleteAgentAsync(agentId);
        await cluster.WaitAsync(() => Task.FromResult(!Directory.Exists(source)), Deadline, "the deleted agent's secret files to be wiped");
    }

    private static long LastNumber(IEnumerable<LogLine> lines) =>
        lines.Select(l => LineNumber().Match(l.Text)).Where(m => m.Success).Select(m => long.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).Max();

    [GeneratedRegex(@"^line (\d+)$")]
    private static partial Regex LineNumber();
}
