using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

// Manager and node must read the same bytes the same way. A JsonElement keeps every duplicate key (a lookup finds
// the last, a JsonObject made from it throws), so {"env":{...},"env":{...}} was validated by the manager on its
// last env while the node saw the first, and "env":{"FOO":"1","FOO":"2"} jammed the node's long-poll. Both sides
// refuse a duplicate key, naming its path (agent_config.env.FOO).
public static class JsonDuplicateKeys
{
    // The path of the first key that appears twice in one object, at any depth; null when there is none.
    public static string? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var child = path + "." + property.Name;
                    if (!seen.Add(property.Name)) return child;
                    if (Find(property.Value, child) is { } inner) return inner;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{path}[{index++}]") is { } inner) return inner;
                }
                return null;
            default:
                return null;
        }
    }
}

// Reads a JsonElement field (agent_config) as it came, duplicates included, where the serializer's options refuse
// duplicate keys: the field's own validation then names the exact key (agent_config.env.FOO) instead of the binder
// naming only the field that holds it.
public sealed class JsonElementAsSentConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.Clone();
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);
}
