namespace Microsoft.Extensions.Hosting;

// Every ActivitySource and Meter of ours starts with these, so one wildcard subscribes to all.
public static class TelemetryNames
{
    public const string ActivitySourcePrefix = "Orchestrator.";
    public const string MeterPrefix = "Orchestrator.";
}
