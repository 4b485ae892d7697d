using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Tests.Failure;

namespace Orchestrator.Tests.Signing;

// The node's journal (issue 29), on node 2 of the signed-spec cluster: cut off from the manager, it fences its
// reschedule agent and restarts a crashing process agent twice on its own; after the link comes back the manager
// holds those decisions in its audit log, in the node's order, with the node's clocks and the gap they were made in.
// Then an entry edited on disk while cut off again is reported as tampering and not accepted.
public sealed partial class SignedSpecClusterTests
{
    [Fact]
    public async Task ACutOffNodeUploadsItsOwnDecisionsAfterReconnectingAndAnEntryEditedOnDiskIsReportedAsTampering()
    {
        var cluster = fixture.Cluster;
        var node = cluster.Orchestrators[1];
        var go = Path.Combine(fixture.Scratch, "go");
        var count = Path.Combine(fixture.Scratch, "crashes");
        var again = Path.Combine(fixture.Scratch, "again");
        // Waits for the test's go, then crashes twice (exit 3) and runs on the third start, until told to crash again.
        var script = $"while [ ! -f {go} ]; do sleep 0.1; done; n=$(cat {count} 2>/dev/null || echo 0); echo $((n+1)) > {count}; " +
            $"if [ \"$n\" -ge 2 ]; then while [ ! -f {again} ]; do sleep 0.1; done; rm -f {again}; exit 4; fi; exit 3";
        var crashing = await DeployAsync(new DeployRequest("process", JsonSerializer.SerializeToElement(new { command = "/bin/sh", args = new[] { "-c", script } }),
            null, Constraints: new DeployConstraints(null, JsonSerializer.SerializeToElement("2"), null)));
        var movable = await DeployAsync(Spec("2", 900) with { OnClusterLoss = "reschedule" });
        await StateAsync(crashing, AgentStates.Running);
        await StateAsync(movable, AgentStates.Running);

        var cutAt = DateTimeOffset.UtcNow;
        node.CutOffFromManager();
        await cluster.WaitAsync(async () => (await node.LocalAgentAsync(movable.AgentId)).LastError?.StartsWith("fenced: no contact", StringComparison.Ordinal) == true,
            Deadline, "the cut-off node to fence its reschedule agent");
        await File.WriteAllTextAsync(go, "");
        await cluster.WaitAsync(async () => await node.LocalAgentAsync(crashing.AgentId) is { Restarts: 2, State: AgentStates.Running },
            Deadline, "the process agent to crash twice and run again while cut off");
        var reconnectAt = DateTimeOffset.UtcNow;
        node.ReconnectToManager();

        var decisions = await cluster.PollAsync(async () =>
        {
            var page = await cluster.Api.GetAuditAsync(tenant: "2", limit: 1000);
            var mine = page.Entries.Where(e => e.Origin == "node" && (e.Target == crashing.AgentId || e.Target == movable.AgentId) && e.NodeTime >= cutAt)
                .OrderBy(e => e.JournalSequence).ToList();
            return mine.Count(e => e.Action == "node.restart") >= 2 && mine.Any(e => e.Action == "node.fence") ? mine : null;
        }, Deadline, "the node's restarts and fence in the manager's audit log");
        // In the node's order: the fence, then the two restarts (the go came after the fence), on the node's clock.
        Assert.Equal(["node.fence", "node.restart", "node.restart"], decisions.Select(e => e.Action));
        Assert.Equal(movable.AgentId, decisions[0].Target);
        Assert.All(decisions, e =>
        {
            Assert.Equal($"cluster:{node.ContainerName}", e.Actor);
            Assert.Equal("success", e.Outcome);
            Assert.InRange(e.NodeTime!.Value, cutAt, reconnectAt);
            // The gap: decided well after the node last heard from the manager (the lease of 3 s had run out).
            Assert.True(e.NodeTime - e.OfflineSince >= TimeSpan.FromSeconds(2), $"{e.Action} at {e.NodeTime:O}, last contact {e.OfflineSince:O}");
        });
        Assert.True(decisions.Zip(decisions.Skip(1)).All(p => p.First.NodeTime <= p.Second.NodeTime && p.First.JournalSequence < p.Second.JournalSequence));
        Assert.Contains("exited with code 3", decisions[1].Detail);
        Assert.StartsWith("fenced: no contact", decisions[0].Detail);

        // Tampering: cut off again, the process agent crashes once more; that entry is edited on disk before the link returns.
        var journal = Path.Combine(node.DataDirectory, "journal.jsonl");
        var uploaded = File.ReadAllLines(journal).Length;
        node.CutOffFromManager();
        await File.WriteAllTextAsync(again, "");
        await cluster.WaitAsync(() => Task.FromResult(File.ReadAllLines(journal).Skip(uploaded).Any(l => l.Contains("exited with code 4", StringComparison.Ordinal))),
            Deadline, "the third crash in the journal while cut off again");
        var lines = File.ReadAllLines(journal);
        var index = Array.FindIndex(lines, uploaded, l => l.Contains("exited with code 4", StringComparison.Ordinal));
        var edited = JsonNode.Parse(lines[index])!;
        edited["detail"] = "nothing happened here";
        lines[index] = edited.ToJsonString();
        File.WriteAllLines(journal, lines);
        node.ReconnectToManager();

        var tampered = await cluster.PollAsync(async () =>
            (await cluster.Api.GetAuditAsync(action: "node.journal_tampered")).Entries.FirstOrDefault(e => e.Actor == $"cluster:{node.ContainerName}"),
            Deadline, "the manager to report the edited journal");
        Assert.Equal("refused", tampered.Outcome);
        Assert.Contains($"entry {edited["sequence"]}", tampered.Detail);
        Assert.Contains("edited", tampered.Detail);
        // Nothing of the broken upload was accepted: no audit entry claims the edited text.
        Assert.DoesNotContain((await cluster.Api.GetAuditAsync(tenant: "2", limit: 1000)).Entries, e => e.Detail == "nothing happened here");
    }
}
