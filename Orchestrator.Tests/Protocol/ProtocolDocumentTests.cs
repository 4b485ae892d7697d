using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Protocol;

// docs/protocol.md and Orchestrator.Protocol describe the same wire: neither may show a field the other lacks.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class ProtocolDocumentTests
{
    private static readonly string Markdown = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "protocol.md"));
    private static readonly IReadOnlyList<ProtocolDocument.Sample> Samples = ProtocolDocument.Samples(Markdown);

    [Fact]
    public void EveryJsonSampleNamesARecordOfTheProtocol()
    {
        Assert.NotEmpty(Samples);
        var unlabelled = Samples.Where(s => ProtocolDocument.RecordNamed(s.Record) is null)
            .Select(s => $"line {s.Line}: '{s.Record}' is not a record of Orchestrator.Protocol (label it <!-- Protocol: Name -->)");
        Assert.Empty(unlabelled);
    }

    [Fact]
    public void EverySampleReadsIntoItsRecordAndWritesBackUnchanged()
    {
        var problems = Samples.Where(s => ProtocolDocument.RecordNamed(s.Record) is not null)
            .Select(s => ProtocolDocument.RoundTripProblem(ProtocolDocument.RecordNamed(s.Record)!, s.Json) is { } p ? $"line {s.Line}: {p}" : null)
            .OfType<string>();
        Assert.Empty(problems);
    }

    [Fact]
    public void EverySampleShowsExactlyTheFieldsOfItsRecordAtEveryLevel()
    {
        var problems = Samples.Where(s => ProtocolDocument.RecordNamed(s.Record) is not null)
            .SelectMany(s => ProtocolDocument.FieldProblems(ProtocolDocument.RecordNamed(s.Record)!, JsonNode.Parse(s.Json), $"line {s.Line}: $",
                new HashSet<Type>()));
        Assert.Empty(problems);
    }

    [Fact]
    public void EveryWireRecordAppearsInTheDocument()
    {
        var covered = new HashSet<Type>();
        foreach (var sample in Samples)
            if (ProtocolDocument.RecordNamed(sample.Record) is { } record)
                ProtocolDocument.FieldProblems(record, JsonNode.Parse(sample.Json), "$", covered);
        var missing = ProtocolDocument.WireRecords().Where(r => !covered.Contains(r)).Select(r => r.Name).Order();
        Assert.Empty(missing);
    }

    // The checker itself: a sample that drifted from its record is caught, in both directions and nested.
    [Fact]
    public void ASampleMissingAFieldOrShowingAnUnknownOneIsReportedByPath()
    {
        var covered = new HashSet<Type>();
        var problems = ProtocolDocument.FieldProblems(typeof(HeartbeatRequest), JsonNode.Parse("""
            {"container_id":"c","health_score":1,"active_agents":0,"agents":[],"round_trip_ms":null,"failures":0,"node_version":"1.4.2","protocol_version":3,
             "resources":{"cpu_count":2,"cpu_percent":1,"memory_used":1,"memory_limit":2,"processes":3},"colour":"red"}
            """), "$", covered);

        Assert.Equal(
        [
            "$.resources: the doc lacks HeartbeatResources.process_count",
            "$.resources.processes: the doc shows a field HeartbeatResources lacks",
            "$.colour: the doc shows a field HeartbeatRequest lacks",
        ], problems);
        Assert.Contains(typeof(HeartbeatResources), covered);
    }

    [Fact]
    public void ASampleWithAValueOfTheWrongTypeFailsTheRoundTrip()
    {
        Assert.Null(ProtocolDocument.RoundTripProblem(typeof(HeartbeatResponse), """{"status":"ok","container_status":"healthy","heartbeat_interval":30,"recommended_node_version":null}"""));
        Assert.Contains("does not read as HeartbeatResponse",
            ProtocolDocument.RoundTripProblem(typeof(HeartbeatResponse), """{"status":"ok","container_status":"healthy","heartbeat_interval":"soon"}"""));
    }
}
