using System.Diagnostics;
using System.Net.Http.Headers;
using Orchestrator.Protocol;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Tracing;

// What the Aspire dashboard shows of real processes: a deploy is one trace from the call to the agent's start on
// its node, and background loops (liveness passes, heartbeats, assignment polls) add at most one root trace per
// pass (idle ones none), where before each of their Redis commands was a root trace of its own.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class DashboardTraceTests(TracedClusterFixture fixture, ITestOutputHelper output) : IClassFixture<TracedClusterFixture>
{
    // The Redis instrumentation turns commands into spans every 10 s, after their parent ended. On a loaded CI
    // machine the marked request's spans once took over 45 s to show; a deadline costs nothing when they come.
    private static readonly TimeSpan ExportDeadline = TimeSpan.FromSeconds(90);

    private ProcessCluster Cluster => fixture.Cluster;

    private AspireDashboard Dashboard => fixture.Dashboard;

    [Fact]
    public async Task OneDeployIsOneTraceFromTheDeployCallToTheAgentStart()
    {
        var deployed = await Cluster.Api.DeployAsync(DeployRequests.Trading());
        var agentId = Assert.Single(deployed.Agents).AgentId;

        var start = await Deadline.PollAsync(async () => (await Dashboard.SpansAsync())
            .FirstOrDefault(s => s.Name == "start agent" && s["agent.id"] == agentId), ExportDeadline, "the node's start agent span");
        var trace = await Deadline.PollAsync(async () =>
        {
            var spans = await Dashboard.SpansAsync(start.TraceId);
            return spans.Any(IsDeployCall) && spans.Any(s => s.Service == "manager" && IsRedis(s)) && spans.Any(s => s.Name == "report agents")
                ? spans : null;
        }, ExportDeadline, "the deploy call, its Redis writes and the node's report in the start's trace");
        output.WriteLine(string.Join('\n', trace));

        Assert.Equal("orchestrator", start.Service);
        var call = Assert.Single(trace, IsDeployCall);
        Assert.Equal("manager", call.Service);
        // The call is where the trace begins (nothing of ours above it), and every span hangs under it.
        Assert.Equal(call, trace.MinBy(s => s.Start));
        Assert.All(trace.Where(s => s != call), s => Assert.Contains(trace, p => p.SpanId == s.ParentSpanId));
        Assert.Contains(trace, s => s.Name == "schedule agents" && s.Service == "manager");
    }

    [Fact]
    public async Task IdleBackgroundLoopsAddAtMostOneRootTracePerPass()
    {
        var window = TimeSpan.FromSeconds(5);
        var from = DateTimeOffset.UtcNow;
        // An observation window, not a wait for a condition: what the idle cluster sends while nobody acts.
        await Task.Delay(window);
        var to = DateTimeOffset.UtcNow;
        await WaitUntilExportedAsync();

        var spans = (await Dashboard.SpansAsync()).Where(s => s.Start >= from && s.Start <= to).ToList();
        var roots = spans.Where(s => s.IsRoot).ToList();
        var options = Cluster.Options;
        var livenessPasses = (int)Math.Ceiling(window / options.LivenessCheckPeriod) + 1;
        var heartbeats = Cluster.Orchestrators.Count * ((int)Math.Ceiling(window.TotalSeconds / options.HeartbeatSeconds) + 1);
        // Each node's long-poll answers at least once per heartbeat interval only when something changes: bounded alike.
        var passes = livenessPasses + 2 * heartbeats;
        output.WriteLine($"{roots.Count} root traces, {spans.Count} spans in {window.TotalSeconds:0} s idle ({passes} passes at most):\n{string.Join('\n', spans)}");

        Assert.DoesNotContain(roots, IsRedis);
        Assert.True(roots.Count <= passes, $"{roots.Count} root traces for at most {passes} passes");
        // Idle passes are quiet, not merely grouped: before, this window held 22 root traces and 1,060 spans
        // (a trace per heartbeat and per liveness sweep, each with its HTTP and Redis children).
        Assert.True(spans.Count <= passes, $"{spans.Count} spans for at most {passes} passes:\n{string.Join('\n', spans.Take(50))}");
    }

    [Fact]
    public async Task AnUntracedRoutineHeartbeatIsQuietAndATracedOneIsKept()
    {
        // As the seed's nodes or curl send it: no traceparent. The manager's side would be a root trace per beat.
        var id = (await Cluster.ContainerAsync(Cluster.Orchestrators[0])).ContainerId;
        await HeartbeatAsync(id, traceId: null);

        // The traced beat's Redis spans come in the same drain as the untraced one's would.
        var traced = await FirstExportedAsync(marker => HeartbeatAsync(id, marker));
        Assert.Contains(await Dashboard.SpansAsync(traced), IsHeartbeatCall);
        Assert.DoesNotContain(await Dashboard.SpansAsync(), s => s.IsRoot && IsHeartbeatCall(s));
    }

    private async Task HeartbeatAsync(string id, string? traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Cluster.ManagerUrl + ManagerRoutes.WithId(ManagerRoutes.Heartbeat, id))
        {
            Content = System.Net.Http.Json.JsonContent.Create(Orchestrator.Tests.Manager.Registrations.Heartbeat(id)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await Cluster.Api.GetTokenAsync());
        if (traceId is not null) request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await Cluster.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static bool IsHeartbeatCall(TelemetrySpan span) =>
        span.Service == "manager" && span.Scope == "Microsoft.AspNetCore" && span.Name.EndsWith("/heartbeat", StringComparison.Ordinal);

    // Ends once the Redis instrumentation has drained commands made after the window: a marked request's Redis
    // spans arrive in the same drain that would carry any parentless command made before it. Any marked request
    // proves the drain, so one whose spans do not show within a drain or two (once in CI, none came in 90 s) is
    // followed by a fresh one rather than waited on alone.
    private Task WaitUntilExportedAsync() => FirstExportedAsync(async marker =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Cluster.ManagerUrl + ManagerRoutes.Containers);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await Cluster.Api.GetTokenAsync());
        request.Headers.Add("traceparent", $"00-{marker}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await Cluster.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    });

    // Sends a request marked with a fresh trace id through `send` until one's Redis spans show; returns that trace id.
    private async Task<string> FirstExportedAsync(Func<string, Task> send)
    {
        var deadline = DateTimeOffset.UtcNow + ExportDeadline;
        var markers = new List<string>();
        while (true)
        {
            var marker = ActivityTraceId.CreateRandom().ToHexString();
            markers.Add(marker);
            await send(marker);
            var attempt = TimeSpan.FromSeconds(25) < deadline - DateTimeOffset.UtcNow ? TimeSpan.FromSeconds(25) : deadline - DateTimeOffset.UtcNow;
            try
            {
                string? shown = null;
                await Deadline.UntilAsync(async () =>
                {
                    foreach (var m in markers)
                        if ((await Dashboard.SpansAsync(m)).Any(IsRedis)) { shown = m; return true; }
                    return false;
                }, attempt, "a marked request's Redis spans");
                return shown!;
            }
            catch (TimeoutException) when (DateTimeOffset.UtcNow < deadline)
            {
                output.WriteLine($"No Redis spans yet for {markers.Count} marked request(s); sending another.");
            }
        }
    }

    private static bool IsDeployCall(TelemetrySpan span) =>
        span.Scope == "Microsoft.AspNetCore" && span.Name.StartsWith("POST", StringComparison.Ordinal) && span.Name.EndsWith(ManagerRoutes.Deploy, StringComparison.Ordinal);

    private static bool IsRedis(TelemetrySpan span) => span["db.system"] == "redis" || span["db.system.name"] == "redis";
}
