namespace Orchestrator.Protocol;

// On a JsonElement field the manager accepts as any JSON object (the seed leaves it open): the shape
// Orchestrator.Agent sends and docs/protocol.md shows. The contract test checks the doc against it.
[AttributeUsage(AttributeTargets.Property)]
public sealed class WireShapeAttribute(Type shape) : Attribute
{
    public Type Shape { get; } = shape;
}
