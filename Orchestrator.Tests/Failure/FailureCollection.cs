namespace Orchestrator.Tests.Failure;

// Failure tests measure timings of real processes on a 2-core machine: they run one cluster at a time.
[CollectionDefinition(Name)]
public sealed class FailureCollection
{
    public const string Name = "Failure (process clusters, one at a time)";
}
