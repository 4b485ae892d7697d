using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Agents;
using Orchestrator.Tests.Manager;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Abuse;

public sealed class TightLongPollFixture : AbuseManagerFixture
{
    public const int LongPollsPerCaller = 3;
    protected override Dictionary<string, string?> Settings => new() { ["Limits:LongPollsPerCaller"] = LongPollsPerCaller.ToString() };
}

// Runs alone (no parallel test classes), so the process's heap measures this manager.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAloneCollection
{
    public const string Name = "measured alone";
}

// Long-polls for ids that are not the caller's hold nothing: 5,000 of them, with the default limits.
[Collection(MeasuredAloneCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Api)]
public class LongPollMemoryTests(ManagerApiFixture fixture, ITestOutputHelper output) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;
    private AssignmentNotifier Notifier => Manager.Services.GetRequiredService<AssignmentNotifier>();

    [Fact]
    public async Task FiveThousandLongPollsForRandomIdsAreAnsweredNotFoundAndLeaveNoWaiterBehind()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        using var gauge = new HeldGauge(Manager.Services.GetRequiredService<IMeterFactory>());
        var before = HeapAfterCollect();
        const int polls = 5_000;
        var statuses = new int[polls];
        await Parallel.ForAsync(0, polls, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            // Half of the generated form (unknown but well-formed ids reach Redis), half 2,000 random characters.
            var id = i % 2 == 0 ? "ctr-" + Guid.NewGuid().ToString("N")[..16] : RandomId(2_000);
            using var response = await admin.GetAsync($"/api/v1/cluster/containers/{Uri.EscapeDataString(id)}/assignments?wait=30", ct);
            statuses[i] = (int)response.StatusCode;
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        });
        var after = HeapAfterCollect();

        Assert.All(statuses, status => Assert.Equal(404, status));
        Assert.Equal(0, Notifier.HeldCount);
        Assert.Equal(0, gauge.Read());
        output.WriteLine($"managed heap (test host and manager together) before {before / 1024 / 1024.0:0.0} MiB, after {after / 1024 / 1024.0:0.0} MiB");
        Assert.True(after - before < 20 * 1024 * 1024, $"heap grew by {(after - before) / 1024 / 1024.0:0.0} MiB");
    }

    private static string RandomId(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.:";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        });
    }

    private static long HeapAfterCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

// Long-polls hold memory only for containers the caller may read, at most one per container, and
// never more than the caller's limit; none outlives its request.
[Trait(TestLevel.Name, TestLevel.Api)]
public class LongPollLeakTests(TightLongPollFixture fixture) : IClassFixture<TightLongPollFixture>
{
    private ManagerFactory Manager => fixture.Manager;
    private AssignmentNotifier Notifier => Manager.Services.GetRequiredService<AssignmentNotifier>();

    [Fact]
    public async Task ASecondLongPollForOneContainerReplacesTheFirstAndBothLeaveNoWaiter()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var id = await admin.RegisterIdAsync(Registrations.UniqueName("poll"));
        var generation = (await admin.GetAssignmentsAsync(id)).Generation;
        using var gauge = new HeldGauge(Manager.Services.GetRequiredService<IMeterFactory>());

        var first = admin.GetAsync($"/api/v1/cluster/containers/{id}/assignments?since={generation}&wait=30");
        await Deadline.UntilAsync(() => Task.FromResult(Notifier.HeldCount == 1), TimeSpan.FromSeconds(10), "the first poll to be held");
        Assert.Equal(1, gauge.Read());
        using var secondCaller = new CancellationTokenSource();
        var second = admin.GetAsync($"/api/v1/cluster/containers/{id}/assignments?since={generation}&wait=30", secondCaller.Token);

        var replaced = await first.WaitAsync(TimeSpan.FromSeconds(10));
        var problem = await replaced.AssertProblemAsync(409);
        Assert.Contains("replaced", problem.Title, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, Notifier.HeldCount);

        await secondCaller.CancelAsync(); // the node went away: its waiter goes with it
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        await Deadline.UntilAsync(() => Task.FromResult(Notifier.HeldCount == 0), TimeSpan.FromSeconds(10), "the cancelled poll to release its waiter");
        Assert.Equal(0, gauge.Read());
    }

    [Fact]
    public async Task ACallerOverItsConcurrentLongPollLimitGetsTooManyRequestsWithRetryAfter()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        using var stop = new CancellationTokenSource();
        var held = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < TightLongPollFixture.LongPollsPerCaller; i++)
        {
            var id = await admin.RegisterIdAsync(Registrations.UniqueName("limit"));
            held.Add(admin.GetAsync($"/api/v1/cluster/containers/{id}/assignments?since=999999&wait=30", stop.Token));
        }
        await Deadline.UntilAsync(() => Task.FromResult(Notifier.HeldCount >= TightLongPollFixture.LongPollsPerCaller),
            TimeSpan.FromSeconds(10), "the caller's polls to be held");

        var extra = await admin.RegisterIdAsync(Registrations.UniqueName("extra"));
        var refused = await admin.GetAsync($"/api/v1/cluster/containers/{extra}/assignments?since=999999&wait=30");
        await refused.AssertProblemAsync(429);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 carries Retry-After");

        // Another caller (a node's cluster token) is not affected by the admin's polls.
        var name = Registrations.UniqueName("other");
        using var node = await Manager.CreateClusterClientAsync(name);
        var own = await node.RegisterIdAsync(name);
        var answered = await node.GetAsync($"/api/v1/cluster/containers/{own}/assignments?wait=0");
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);

        await stop.CancelAsync();
        foreach (var poll in held) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
        await Deadline.UntilAsync(() => Task.FromResult(Notifier.HeldCount == 0), TimeSpan.FromSeconds(10), "every poll to release its waiter");
    }

    [Fact]
    public async Task APollForAnotherNodesContainerIsRefusedWithoutBeingHeld()
    {
        using var admin = await Manager.CreateAdminClientAsync();
        var victim = await admin.RegisterIdAsync(Registrations.UniqueName("victim"));
        using var attacker = await Manager.CreateClusterClientAsync(Registrations.UniqueName("attacker"));
        var before = Notifier.HeldCount;
        var response = await attacker.GetAsync($"/api/v1/cluster/containers/{victim}/assignments?since=999999&wait=30");
        await response.AssertProblemAsync(403);
        Assert.Equal(before, Notifier.HeldCount);
    }
}
