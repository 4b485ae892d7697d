using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
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

    // Marks endpoints the global concurrency limit leaves alone (held long-polls, which have their own).
    public sealed class NoGlobalLimit;

    public static IServiceCollection AddManagerRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LimitsOptions>>((options, limits) =>
        {
            var settings = limits.Value;
            options.AddPolicy(Deploys, context => PerSecond(context, settings.DeploysPerSecondPerCaller));
            options.AddPolicy(Registrations, context => PerSecond(context, settings.RegistrationsPerSecondPerCaller));
            options.AddPolicy(LongPolls, context => RateLimitPartition.GetConcurrencyLimiter(ClientPartition.Caller(context),
                _ => new ConcurrencyLimiterOptions { PermitLimit = settings.LongPollsPerCaller, QueueLimit = 0 }));
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
    private static async ValueTask WriteTooManyRequestsAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var seconds = RetryAfter.Set(context.Response, retryAfter);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = ProblemTypes.TooManyRequests.Status,
                Title = ProblemTypes.TooManyRequests.Title,
                Detail = $"This caller is over its limit for this kind of request; retry in {seconds} seconds.",
            },
        });
    }
}
