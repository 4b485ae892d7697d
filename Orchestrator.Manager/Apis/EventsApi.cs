using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Protocol.Client;
using StackExchange.Redis;

namespace Orchestrator.Manager.Apis;

// GET /api/v1/events: the live event stream (server-sent events) from the capped Redis stream, so any
// replica serves it and Last-Event-ID resumes right after the last event a client saw.
public static class EventsApi
{
    private const int ReadBatch = 100;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup(string.Empty).WithTags("Events").RequireAuthorization(Policies.Reader);
        events.MapGet(ManagerRoutes.Events, StreamAsync)
            .WithSummary("Live events (text/event-stream), filtered to the caller's tenants; resume with Last-Event-ID")
            // Its own bound instead of the global one: at most Events:MaxStreamsPerToken open per token.
            .WithMetadata(new RateLimitPolicies.NoGlobalLimit())
            .RequireRateLimiting(RateLimitPolicies.EventStreams)
            .WithMetadata(new RateLimitPolicies.RejectionDetail(
                "This token already holds as many event streams as it may; close one (or resume it with Last-Event-ID) first."));
        return app;
    }

    public static async Task<Results<EmptyHttpResult, ValidationProblem>> StreamAsync(
        HttpContext http, CallerScope caller, EventStore store, EventsTelemetry telemetry,
        IOptions<EventsOptions> options, TimeProvider time, IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var lastEventId = http.Request.Headers[ServerSentEvents.LastEventIdHeader].ToString();
        if (lastEventId.Length > 0 && !EventStore.IsEventId(lastEventId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [ServerSentEvents.LastEventIdHeader] = ["Last-Event-ID must be an event id this stream sent (<milliseconds>-<sequence>)."],
            });
        var settings = options.Value;
        var visible = EventVisibility.For(caller);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        var token = stopping.Token;

        telemetry.StreamOpened();
        try
        {
            var after = lastEventId.Length > 0 ? lastEventId : await store.LatestIdAsync();
            EventStreamWriter.Prepare(http.Response);
            var stream = new EventStreamWriter(http.Response);
            // Headers and a first line at once, so a client knows it is connected before any event happens.
            await stream.CommentAsync("connected", token);
            await stream.FlushAsync(token);
            var quietSince = time.GetTimestamp();
            while (!token.IsCancellationRequested)
            {
                // Untraced: a stream open for hours would otherwise gather a child span per poll under its request.
                var from = after;
                var batch = await BackgroundPass.Untraced(() => store.ReadAfterAsync(from, ReadBatch));
                var sent = false;
                foreach (var e in batch)
                {
                    after = e.Id;
                    if (!visible(e)) continue;
                    await stream.WriteAsync(e, token);
                    sent = true;
                }
                if (sent || time.GetElapsedTime(quietSince) >= settings.HeartbeatInterval)
                {
                    if (!sent) await stream.CommentAsync("heartbeat", token);
                    await stream.FlushAsync(token);
                    quietSince = time.GetTimestamp();
                }
                if (batch.Count < ReadBatch) await Task.Delay(settings.PollInterval, time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client went away, or this replica is stopping: the client resumes elsewhere with Last-Event-ID.
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // Redis is gone: end the stream; the client reconnects (and resumes) once it is back.
        }
        finally
        {
            telemetry.StreamClosed();
        }
        return TypedResults.Empty;
    }
}
