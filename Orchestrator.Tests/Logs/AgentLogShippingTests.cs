using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Orchestrator.Tests.Failure;

namespace Orchestrator.Tests.Logs;

// Real processes: redis-server, the manager and one node whose process agent prints "line <i>" twenty times a
// second. The node's log buffer is tiny (LOG_BUFFER_MB=0.01, about a hundred lines) so a manager outage of a
// few seconds overflows it; the manager retains far more than the test prints.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed partial class AgentLogShippingTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);
    private const int Retained = 8192;

    private ProcessCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProcessCluster.StartAsync(new()
    {
        Orchestrators = 1,
        OrchestratorEnvironment = new() { ["ALLOWED_COMMANDS"] = "/bin/sh", ["LOG_BUFFER_MB"] = "0.01" },
        ManagerEnvironment = new() { ["LOG_RETENTION_BYTES"] = (Retained * LogStreams.EntryBudgetBytes).ToString() },
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task LinesArriveInOrderOnceAcrossAManagerRestartAndTheGapMarkerCountsExactlyTheLinesDropped()
    {
        var agentId = await DeployChattyAgentAsync();
        var manager = _cluster.Managers[0];
        await _cluster.WaitAsync(async () => (await _cluster.Api.GetAgentLogsAsync(agentId, tail: 1)).Count > 0 &&
            (await _cluster.Api.GetAgentLogsAsync(agentId, tail: 20)).Count >= 20, Deadline, "the first lines to reach the manager");

        // Down long enough for the node's buffer to overflow: its journal holds a gap marker.
        manager.Kill();
        var logs = Path.Combine(_cluster.Orchestrators[0].DataDirectory, "logs");
        await _cluster.WaitAsync(() => Task.FromResult(Directory.EnumerateFiles(logs, "*.log")
            .Any(f => ReadShared(f).Contains("\"stream\":\"gap\"", StringComparison.Ordinal))), Deadline, "the node's buffer to overflow");
        await manager.StartAsync();

        // Lines printed after the restart arrive too: the shipper resumed.
        IReadOnlyList<LogLine> lines = [];
        await _cluster.WaitAsync(async () =>
        {
            lines = (await _cluster.Api.GetAgentLogsAsync(agentId, tail: Retained)).Lines;
            var gap = lines.ToList().FindIndex(l => l.Stream == LogStreams.Gap);
            return gap >= 0 && lines.Count - gap > 40;
        }, Deadline, "lines after the gap to reach the restarted manager");

        Assert.Equal("line 0", lines[0].Text);
        // A marker read last counts lines dropped before a line not yet read (a loaded node may overflow twice): its
        // hole is not in this page, so the page is cut after its last line.
        lines = lines.Take(lines.ToList().FindLastIndex(l => l.Stream != LogStreams.Gap) + 1).ToList();
        long droppedByMarkers = 0, missing = 0;
        long? previous = null;
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0) Assert.True(lines[i].Sequence > lines[i - 1].Sequence, $"sequence {lines[i].Sequence} after {lines[i - 1].Sequence}");
            if (lines[i].Stream == LogStreams.Gap)
            {
                droppedByMarkers += lines[i].Dropped;
                continue;
            }
            var number = long.Parse(LineNumber().Match(lines[i].Text).Groups[1].Value);
            if (previous is { } p)
            {
                Assert.True(number > p, $"line {number} after line {p}: out of order or twice");
                // A hole in the numbers only where a gap marker sits.
                if (number != p + 1) Assert.Equal(LogStreams.Gap, lines[i - 1].Stream);
                missing += number - p - 1;
            }
            previous = number;
        }
        Assert.True(droppedByMarkers > 0);
        Assert.Equal(missing, droppedByMarkers);
    }

    [Fact]
    public async Task FollowingShowsANewLineWithinTwoSecondsAndAnotherTenantsOperatorGets404()
    {
        var agentId = await DeployChattyAgentAsync();
        var own = await OperatorClientAsync("1");
        var other = await OperatorClientAsync("2");

        using var timeout = new CancellationTokenSource(Deadline);
        var watch = Stopwatch.StartNew();
        await foreach (var line in own.FollowAgentLogsAsync(agentId, tail: 0, timeout.Token))
        {
            // A line printed after the stream opened, seen within 2 s of its capture by the node.
            if (line.Time <= DateTimeOffset.UtcNow - watch.Elapsed) continue;
            Assert.True(DateTimeOffset.UtcNow - line.Time < TimeSpan.FromSeconds(2), $"line captured at {line.Time:O} arrived at {DateTimeOffset.UtcNow:O}");
            break;
        }

        var refused = await Assert.ThrowsAsync<ManagerProblemException>(() => other.GetAgentLogsAsync(agentId));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, refused.StatusCode);
        Assert.NotEmpty((await own.GetAgentLogsAsync(agentId)).Lines);
    }

    private async Task<string> DeployChattyAgentAsync()
    {
        var deployed = await _cluster.Api.DeployAsync(new DeployRequest("process", JsonSerializer.SerializeToElement(new
        {
            command = "/bin/sh",
            args = new[] { "-c", "i=0; while :; do echo line $i; i=$((i+1)); sleep 0.05; done" },
        }), null));
        return deployed.Agents[0].AgentId;
    }

    private async Task<ManagerClient> OperatorClientAsync(string tenant)
    {
        var created = await _cluster.Api.CreateOperatorAsync(new CreateOperatorRequest("logs-" + Guid.NewGuid().ToString("N")[..8], [tenant], OperatorRoles.Operator));
        return new(new HttpClient { BaseAddress = new Uri(_cluster.ManagerUrl + "/"), Timeout = Timeout.InfiniteTimeSpan },
            ManagerCredentials.From(() => new TokenRequest(created.Name, created.ApiKey)));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }

    [GeneratedRegex(@"^line (\d+)$")]
    private static partial Regex LineNumber();
}
