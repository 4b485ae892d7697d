using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// Which root spans start a trace. A Redis command made with no current span became a root trace of its own:
// every health probe's PING, every background poll, the pub/sub subscription. Those made the dashboard's trace
// list a stream of "manager: HGETALL" and "manager: EVAL". Every piece of work worth tracing runs under a span
// (a request, or a background loop's pass: BackgroundPass), so a parentless Redis command is dropped. Children
// follow their parent (ParentBasedSampler): under a quiet pass (BackgroundPass.Quiet) they are dropped too, as
// the Redis instrumentation makes its spans only once the parent has ended, when the parent's flags are final.
public sealed class RootSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);

    public static Sampler ParentBased() => new ParentBasedSampler(new RootSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        // The instrumentation passes db.system (or db.system.name) = redis when it starts a command's span.
        if (samplingParameters.Tags is { } tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key is "db.system" or "db.system.name" && tag.Value is "redis") return Drop;
            }
        }
        return Keep;
    }
}
