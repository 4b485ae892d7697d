using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Problems;

namespace Orchestrator.Manager.Limits;

// Microsoft.AspNetCore.RateLimiting policies. Heartbeats have none on purpose: a node's heartbeat at
// its interval must never be refused; the body limit and the global concurrency limit bound them.
public static class RateLimitPolicies
{
    public const string Deploys = "deploys";
    public const string Registrations = "registrations";
    public const string LongPolls = "long-polls";
    public const string EventStreams = "event-streams";
    public const string LogBatches = "log-batches";

    // Marks endpoints the global concurrency limit leaves alone (held long-polls, which have their own).
    public sealed class NoGlobalLimit;

    // An endpoint's own words for its 429 (what to do about it), instead of the generic detail.
    public sealed record RejectionDetail(string Detail);

    public static IServiceCollection AddManagerRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LimitsOptions>, IOptions<EventsOptions>>((options, limits, events) =>
        {
            var settings = limits.Value;
            options.AddPolicy(Deploys, context => PerSecond(context, settings.DeploysPerSecondPerCaller));
            options.AddPolicy(Registrations, context => PerSecond(context, settings.RegistrationsPerSecondPerCaller));
            options.AddPolicy(LogBatches, context => PerSecond(context, settings.LogBatchesPerSecondPerCaller));
            options.AddPolicy(LongPolls, context => RateLimitPartition.GetConcurrencyLimiter(ClientPartition.Caller(context),
                _ => new ConcurrencyLimiterOptions { PermitLimit = settings.LongPollsPerCaller, QueueLimit = 0 }));
            // Event streams open at once per token (each holds a connection and polls Redis while it lives), counted
            // per replica: a client spreading streams over N replicas gets N times as many. The token itself, hashed,
            // so a login's streams count together and the limiter never holds a usable credential.
            options.AddPolicy(EventStreams, context => RateLimitPartition.GetConcurrencyLimiter(
                "token:" + Fingerprint.Of(context.Request.Headers.Authorization.ToString()),
                _ => new ConcurrencyLimiterOptions { PermitLimit = events.Value.MaxStreamsPerToken, QueueLimit = 0 }));
            // One shared partition: the last line of defence for the whole process.
            var everyone = new ConcurrencyLimiterOptions
            {
                PermitLimit = settings.MaxConcurrentRequests,
                QueueLimit = settings.MaxQueuedRequests,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            };
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<NoGlobalLimit>() is not null
                    ? RateLimitPartition.GetNoLimiter("exempt")
                    : RateLimitPartition.GetConcurrencyLimiter("everyone", _ => everyone));
            options.OnRejected = WriteTooManyRequestsAsync;
        });
        return services;
    }

    // A token bucket per caller: a second's worth of burst, refilled every 100 ms.
    private static RateLimitPartition<string> PerSecond(HttpContext context, int perSecond) =>
        RateLimitPartition.GetTokenBucketLimiter(ClientPartition.Caller(context), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = Math.Max(1, perSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    // 429 problem+json with Retry-After, so a well-behaved client (the node does) waits before trying again.
    // Written as problem+json whatever the request accepts: IProblemDetailsService refuses (throws) when Accept
    // names no JSON, as an EventSource's text/event-stream does; ProblemHttpResult then writes the JSON itself.
    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = RetryAfter.Set(context.Response, retryAfter);
        var detail = context.GetEndpoint()?.Metadata.GetMetadata<RejectionDetail>()?.Detail
            ?? $"This caller is over its limit for this kind of request; retry in {seconds} seconds.";
        await ApiProblems.Problem(ProblemTypes.TooManyRequests, detail).ExecuteAsync(context);
    }
}
