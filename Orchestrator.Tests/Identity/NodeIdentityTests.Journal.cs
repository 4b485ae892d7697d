using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NSec.Cryptography;
using Orchestrator.Manager.Events;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Signing;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Identity;

// The node's journal route (issue 29) over real HTTP on a real Redis: a node enrolled with its journal key uploads
// entries that are recorded as its own decisions; a resend is skipped; a chain that does not continue the
// acknowledged hash, or is signed by another key, is answered 409 and audited as tampering, storing nothing; another
// node's journal is 403 and malformed bodies are 400 naming the field.
public partial class NodeIdentityTests
{
    private static readonly DateTimeOffset Decided = new(2026, 12, 7, 9, 30, 0, 125, TimeSpan.Zero);

    [Fact]
    public async Task ANodesJournalIsAcceptedInChainOrderAndABrokenChainIsRefusedAsTamperingStoringNothing()
    {
        using var key = JournalChain.NewKey();
        var (containerId, name, client) = await EnrollWithJournalKeyAsync(JournalChain.PublicKeyText(key));
        var route = ManagerRoutes.WithId(ManagerRoutes.ContainerJournal, containerId);
        var entries = Chain(key, 0, JournalChain.Genesis, 3);

        var first = await UploadAsync(client, route, new JournalUploadRequest(JournalChain.PublicKeyText(key), entries));
        Assert.Equal((3L, entries[^1].Hash, 3), (first.AckedSequence, first.AckedHash, first.Accepted));
        // A resend after a lost answer: the entries held already are skipped, nothing is recorded twice.
        var again = await UploadAsync(client, route, new JournalUploadRequest(null, entries.Skip(1).ToList()));
        Assert.Equal((3L, 0), (again.AckedSequence, again.Accepted));
        Assert.Equal(3, (await client.GetFromJsonAsync(route, ProtocolJsonContext.Default.JournalAck))!.AckedSequence);

        using var admin = await fixture.Manager.CreateAdminClientAsync();
        var restarts = (await admin.GetFromJsonAsync($"{ManagerRoutes.Audit}?action=node.restart&limit=1000", ProtocolJsonContext.Default.AuditPage))!
            .Entries.Where(e => e.Actor == $"cluster:{name}").OrderBy(e => e.JournalSequence).ToList();
        Assert.Equal([1L, 3L], restarts.Select(e => e.JournalSequence!.Value));
        Assert.All(restarts, e => Assert.Equal("node", e.Origin));
        Assert.Equal(Decided, restarts[0].NodeTime);
        Assert.Equal(Decided.AddSeconds(-8), restarts[0].OfflineSince);
        Assert.Equal("restart 1 in 1s after: exited with code 3", restarts[0].Detail);
        var events = fixture.Manager.Services.GetRequiredService<EventStore>();
        var decision = await PollAsync(async () => (await events.ReadAfterAsync("0-0", 10_000))
            .FirstOrDefault(e => e.Type == ManagerEventTypes.NodeDecision && e.ContainerId == containerId && e.JournalSequence == 2));
        Assert.Equal(("node", JournalKinds.Fence, "agt-journal-2", Decided.AddSeconds(1)), (decision.Origin, decision.State, decision.AgentId, decision.NodeTime));

        // Re-signed by the node's own key, yet not continuing what the manager acknowledged: tampering.
        var forged = Chain(key, 3, new string('a', 64), 1);
        var refused = await (await client.PostAsJsonAsync(route, new JournalUploadRequest(null, forged), ProtocolJsonContext.Default.JournalUploadRequest))
            .AssertProblemAsync(409);
        Assert.Equal(ProblemTypes.JournalTampered.Title, refused.Title);
        Assert.Contains("entry 4 does not hold the hash of entry 3", refused.Detail);
        Assert.Equal("3", refused.Extension("acked_sequence"));
        // A journal that ends before the acknowledged entry lost entries on disk: tampering too.
        var shorter = await (await client.PostAsJsonAsync(route, new JournalUploadRequest(null, entries.Take(1).ToList()),
            ProtocolJsonContext.Default.JournalUploadRequest)).AssertProblemAsync(409);
        Assert.Contains("ends at entry 1, before entry 3", shorter.Detail);
        // Signed by another key (the journal file and key replaced): tampering too.
        using var other = JournalChain.NewKey();
        await (await client.PostAsJsonAsync(route, new JournalUploadRequest(null, Chain(other, 3, entries[^1].Hash!, 1)),
            ProtocolJsonContext.Default.JournalUploadRequest)).AssertProblemAsync(409);
        Assert.Equal(3, (await client.GetFromJsonAsync(route, ProtocolJsonContext.Default.JournalAck))!.AckedSequence);
        var tampered = (await admin.GetFromJsonAsync($"{ManagerRoutes.Audit}?action=node.journal_tampered&limit=1000", ProtocolJsonContext.Default.AuditPage))!
            .Entries.Where(e => e.Target == containerId).ToList();
        Assert.Equal(3, tampered.Count);
        Assert.All(tampered, e => Assert.Equal("refused", e.Outcome));
        Assert.Contains(tampered, e => e.Detail!.Contains("not signed by this node's journal key"));
    }

    [Fact]
    public async Task AnotherNodesJournalIsForbiddenAndMalformedUploadsAndEnrollmentsAreRefusedNamingTheField()
    {
        using var key = JournalChain.NewKey();
        var (attackerId, _, attacker) = await EnrollWithJournalKeyAsync(JournalChain.PublicKeyText(key));
        using var victimKey = JournalChain.NewKey();
        var (victim, _, _) = await EnrollWithJournalKeyAsync(JournalChain.PublicKeyText(victimKey));
        var entries = Chain(key, 0, JournalChain.Genesis, 1);
        await (await attacker.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerJournal, victim), new JournalUploadRequest(null, entries),
            ProtocolJsonContext.Default.JournalUploadRequest)).AssertProblemAsync(403);
        await (await attacker.GetAsync(ManagerRoutes.WithId(ManagerRoutes.ContainerJournal, victim))).AssertProblemAsync(403);

        var own = ManagerRoutes.WithId(ManagerRoutes.ContainerJournal, attackerId);
        var badKey = await (await attacker.PostAsJsonAsync(own, new { public_key = "not-a-key", entries })).AssertProblemAsync(400);
        Assert.True(badKey.Names("public_key"), badKey.Named());
        var none = await (await attacker.PostAsJsonAsync(own, new { entries = Array.Empty<object>() })).AssertProblemAsync(400);
        Assert.True(none.Names("entries"), none.Named());

        var body = JsonSerializer.SerializeToNode(EnrollmentFixture.EnrollBody(await fixture.CreateTokenAsync(), Registrations.UniqueName("journal")))!.AsObject();
        body["journal_key"] = "AAAA";
        var enroll = await (await fixture.EnrollAsync(body)).AssertProblemAsync(400);
        Assert.True(enroll.Names("journal_key"), enroll.Named());
    }

    private async Task<(string ContainerId, string Name, HttpClient Client)> EnrollWithJournalKeyAsync(string publicKey)
    {
        var name = Registrations.UniqueName("journal");
        var body = JsonSerializer.SerializeToNode(EnrollmentFixture.EnrollBody(await fixture.CreateTokenAsync(), name))!.AsObject();
        body["journal_key"] = publicKey;
        var response = await fixture.EnrollAsync(body);
        Assert.True((int)response.StatusCode == 201, await response.Content.ReadAsStringAsync());
        var enrolled = await response.Content.ReadFromJsonAsync<JsonElement>();
        var client = fixture.Manager.CreateClient("10.9.0.5");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            await fixture.LoginAsync(enrolled.GetProperty("credential").GetString()!, name));
        return (enrolled.GetProperty("container_id").GetString()!, name, client);
    }

    // count entries after (sequence, hash): restarts at odd sequences, a fence at even ones, a second apart.
    private static List<JournalEntry> Chain(Key key, long sequence, string hash, int count)
    {
        var entries = new List<JournalEntry>();
        for (var i = 0; i < count; i++)
        {
            var next = sequence + 1;
            var entry = next % 2 == 1
                ? JournalChain.Append(key, sequence, hash, Decided.AddSeconds(next - 1), JournalKinds.Restart, $"agt-journal-{next}",
                    $"restart {next} in 1s after: exited with code 3", Decided.AddSeconds(-8))
                : JournalChain.Append(key, sequence, hash, Decided.AddSeconds(next - 1), JournalKinds.Fence, $"agt-journal-{next}",
                    "fenced: no contact with the manager for over 3s (lease_seconds)", Decided.AddSeconds(-8));
            entries.Add(entry);
            (sequence, hash) = (entry.Sequence, entry.Hash!);
        }
        return entries;
    }

    private static async Task<JournalAck> UploadAsync(HttpClient client, string route, JournalUploadRequest request)
    {
        var response = await client.PostAsJsonAsync(route, request, ProtocolJsonContext.Default.JournalUploadRequest);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.JournalAck))!;
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (await probe() is { } found) return found;
            Assert.True(DateTime.UtcNow < deadline, "the event to be written within 10 s");
            await Task.Delay(50);
        }
    }
}
