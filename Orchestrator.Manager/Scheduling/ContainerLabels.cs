using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Manager.Scheduling;

public static class ContainerLabels
{
    public static bool HasLabels(this ContainerView container, IReadOnlyDictionary<string, string> labels) =>
        labels.All(label => container.Metadata.ValueKind == JsonValueKind.Object
            && container.Metadata.TryGetProperty(label.Key, out var value)
            && (ContainerViewExtensions.JsonIdentifier(value) ?? value.GetRawText()) == label.Value);
}
