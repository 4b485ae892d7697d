using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Runtime;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Tests.Signing;

// The node's journal as a hash chain (docs/protocol.md "The node's journal"): entries appended by the node verify
// against its public key from the start or from any acknowledged entry; any edit, removal, reordering or foreign
// signature is caught at the entry where it happened.
[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class JournalChainTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 30, 0, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-journal-").FullName;
    private readonly FakeTimeProvider _time = new(Start);

    private NodeJournal Journal() => new(Options.Create(new RuntimeOptions { DataDirectory = "data" }),
        new HostingEnvironment { ContentRootPath = _root }, _time, NullLogger<NodeJournal>.Instance);

    [Fact]
    public void EntriesAppendedByTheNodeVerifyFromTheStartAndFromAnAcknowledgedEntryAcrossARestart()
    {
        var journal = Journal();
        journal.Record(JournalKinds.Restart, "agt-1", "restart 1 in 1s after: exited with code 3");
        _time.Advance(TimeSpan.FromSeconds(2));
        journal.Record(JournalKinds.Fence, "agt-2", "fenced: no contact with the manager for over 6s (lease_seconds)");
        // A new node process reads the tip from disk and continues the same chain.
        var again = Journal();
        again.Record(JournalKinds.Restart, "agt-1", "restart 2 in 2s after: exited with code 3");
        var key = JournalChain.TryImportPublicKey(again.PublicKey)!;
        Assert.Equal(journal.PublicKey, again.PublicKey);

        var all = again.After(0, 100);
        Assert.Equal([1L, 2L, 3L], all.Select(e => e.Sequence));
        Assert.Equal(JournalChain.Genesis, all[0].PrevHash);
        Assert.Equal(Start.AddSeconds(2), all[1].Time);
        Assert.Null(JournalChain.Verify(key, 0, JournalChain.Genesis, all));
        Assert.Null(JournalChain.Verify(key, 1, all[0].Hash!, again.After(1, 100)));
        // The key file is the node's alone.
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(again.KeyPath));
    }

    [Fact]
    public void AnEntryEditedOnDiskIsReportedAtThatEntry()
    {
        var journal = Journal();
        for (var i = 1; i <= 3; i++) journal.Record(JournalKinds.Restart, "agt-1", $"restart {i}");
        var key = JournalChain.TryImportPublicKey(journal.PublicKey)!;
        var lines = File.ReadAllLines(journal.FilePath);
        var edited = JsonNode.Parse(lines[1])!;
        edited["detail"] = "nothing happened";
        lines[1] = edited.ToJsonString();
        File.WriteAllLines(journal.FilePath, lines);

        var broken = JournalChain.Verify(key, 0, JournalChain.Genesis, journal.After(0, 100));
        Assert.Equal(2, broken?.Sequence);
        Assert.Contains("edited after it was written", broken!.Reason);
    }

    [Fact]
    public void ARemovedEntryAChainNotContinuingTheAcknowledgedHashAndAnotherKeyAreEachCaught()
    {
        var journal = Journal();
        for (var i = 1; i <= 4; i++) journal.Record(JournalKinds.Fence, "agt-2", $"fence {i}");
        var entries = journal.After(0, 100);
        var key = JournalChain.TryImportPublicKey(journal.PublicKey)!;

        Assert.Contains("were removed", JournalChain.Verify(key, 0, JournalChain.Genesis, [entries[0], entries[2], entries[3]])!.Reason);
        // Re-signed by whoever holds the key, yet not the chain the manager acknowledged at entry 2.
        Assert.Contains("does not hold the hash of entry 2", JournalChain.Verify(key, 2, new string('a', 64), entries.Skip(2).ToList())!.Reason);
        using var other = JournalChain.NewKey();
        var foreign = JournalChain.TryImportPublicKey(JournalChain.PublicKeyText(other))!;
        Assert.Contains("not signed by this node's journal key", JournalChain.Verify(foreign, 0, JournalChain.Genesis, entries)!.Reason);
    }

    [Fact]
    public void ATornLastLineIsCutOffAndTheChainContinuesFromTheLastWholeEntry()
    {
        var journal = Journal();
        journal.Record(JournalKinds.Adopt, "agt-3", "adopted");
        File.AppendAllText(journal.FilePath, "{\"sequence\":2,\"ti");
        var next = Journal().Record(JournalKinds.Restart, "agt-3", "restart 1");
        Assert.Equal(2, next?.Sequence);
        var key = JournalChain.TryImportPublicKey(journal.PublicKey)!;
        Assert.Null(JournalChain.Verify(key, 0, JournalChain.Genesis, Journal().After(0, 100)));
    }

    // Property: for any chain and any single entry changed in any signed field, verification fails at that entry.
    [Fact]
    public void AnyChangeToAnySignedFieldOfAnyEntryIsCaughtAtThatEntry()
    {
        using var key = JournalChain.NewKey();
        var publicKey = JournalChain.TryImportPublicKey(JournalChain.PublicKeyText(key))!;
        var gen = Gen.Int[1, 8].SelectMany(count => Gen.Int[0, count - 1].SelectMany(target => Gen.Int[0, 4].SelectMany(field =>
            Gen.String[Gen.Char.AlphaNumeric, 1, 30].Select(text => (count, target, field, text)))));
        gen.Sample(c =>
        {
            var chain = new List<JournalEntry>();
            var (sequence, hash) = (0L, JournalChain.Genesis);
            for (var i = 0; i < c.count; i++)
            {
                var entry = JournalChain.Append(key, sequence, hash, Start.AddSeconds(i), JournalKinds.All[i % JournalKinds.All.Count], $"agt-{i}",
                    $"detail {i}", Start.AddSeconds(-5));
                chain.Add(entry);
                (sequence, hash) = (entry.Sequence, entry.Hash!);
            }
            Assert.Null(JournalChain.Verify(publicKey, 0, JournalChain.Genesis, chain));
            var original = chain[c.target];
            chain[c.target] = c.field switch
            {
                0 => original with { Detail = original.Detail + c.text },
                1 => original with { AgentId = original.AgentId + c.text },
                2 => original with { Time = original.Time.AddMilliseconds(c.text.Length) },
                3 => original with { Kind = original.Kind + c.text },
                _ => original with { LastContact = null },
            };
            Assert.Equal(c.target + 1, JournalChain.Verify(publicKey, 0, JournalChain.Genesis, chain)?.Sequence);
        }, iter: 200);
    }

    [Fact]
    public void AnEntryReadsAndWritesAsTheDocumentedJson()
    {
        using var key = JournalChain.NewKey();
        var entry = JournalChain.Append(key, 0, JournalChain.Genesis, Start, JournalKinds.Restart, "agt-1", "restart 1", null);
        var json = JsonSerializer.Serialize(entry, ProtocolJsonContext.Default.JournalEntry);
        Assert.Equal(entry, JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.JournalEntry));
        Assert.Contains("\"prev_hash\":\"" + JournalChain.Genesis, json);
        // The canonical bytes are what docs/protocol.md names, so another implementation can check them.
        Assert.Equal("""{"agent_id":"agt-1","detail":"restart 1","format":"orchestrator-node-journal/v1","kind":"restart","last_contact":null,"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","sequence":1,"time":"2026-12-07T09:30:00.000Z"}""",
            System.Text.Encoding.UTF8.GetString(JournalChain.CanonicalBytes(entry)));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
