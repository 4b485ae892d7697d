using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Protocol;

// docs/protocol.md read as a contract: every ```json sample is labelled <!-- Protocol: RecordName --> and is
// checked against that record of Orchestrator.Protocol, field by field, down through nested records.
public static partial class ProtocolDocument
{
    public sealed record Sample(string Record, string Json, int Line);

    private static readonly JsonNamingPolicy Naming = JsonNamingPolicy.SnakeCaseLower;

    [GeneratedRegex(@"(?:<!--\s*Protocol:\s*(?<record>\w+)\s*-->\s*\n)?```json\s*\n(?<json>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex Fence();

    public static IReadOnlyList<Sample> Samples(string markdown) =>
        Fence().Matches(markdown).Select(m => new Sample(m.Groups["record"].Value, m.Groups["json"].Value,
            markdown[..m.Index].Count(c => c == '\n') + 1)).ToList();

    // Every record that travels: the context's root types and whatever they contain.
    public static IReadOnlySet<Type> WireRecords()
    {
        var roots = typeof(ProtocolJsonContext).GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!);
        var found = new HashSet<Type>();
        foreach (var root in roots) Collect(root, found);
        return found;
    }

    public static Type? RecordNamed(string name) =>
        typeof(ProtocolJsonContext).Assembly.GetType($"{typeof(ProtocolJsonContext).Namespace}.{name}") is { } type && IsRecord(type) ? type : null;

    // Reads the sample into its record and writes it back: any difference (a field the record lacks is
    // dropped, a value of the wrong type throws) means the record cannot carry what the doc shows.
    public static string? RoundTripProblem(Type record, string json)
    {
        var info = ProtocolJsonContext.Default.GetTypeInfo(record)
            ?? throw new InvalidOperationException($"{record.Name} is not in ProtocolJsonContext");
        object? value;
        try
        {
            value = JsonSerializer.Deserialize(json, info);
        }
        catch (JsonException ex)
        {
            return $"does not read as {record.Name}: {ex.Message}";
        }
        var written = JsonSerializer.Serialize(value, info);
        return JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(written))
            ? null : $"changes when read as {record.Name} and written back:\n  doc:    {JsonNode.Parse(json)!.ToJsonString()}\n  record: {written}";
    }

    // Field names compared both ways, recursively. Records reached with an object are added to covered.
    public static List<string> FieldProblems(Type record, JsonNode? node, string path, ISet<Type> covered)
    {
        var problems = new List<string>();
        if (node is not JsonObject obj)
        {
            if (node is not null) problems.Add($"{path}: expected an object for {record.Name}, got {node.GetValueKind()}");
            return problems;
        }
        covered.Add(record);
        var fields = Fields(record).ToDictionary(f => f.Name);
        var open = record.GetProperties().Any(p => p.GetCustomAttribute<JsonExtensionDataAttribute>() is not null);
        foreach (var name in fields.Keys.Where(name => !obj.ContainsKey(name)))
            problems.Add($"{path}: the doc lacks {record.Name}.{name}");
        foreach (var (name, value) in obj)
        {
            if (!fields.TryGetValue(name, out var field))
            {
                if (!open) problems.Add($"{path}.{name}: the doc shows a field {record.Name} lacks");
                continue;
            }
            problems.AddRange(ValueProblems(field.Shape, value, $"{path}.{name}", covered));
        }
        return problems;
    }

    private static IEnumerable<string> ValueProblems(Type? shape, JsonNode? value, string path, ISet<Type> covered)
    {
        if (shape is null || value is null) return [];
        if (IsRecord(shape)) return FieldProblems(shape, value, path, covered);
        if (Element(shape) is { } element && value is JsonArray array)
            return array.SelectMany((item, i) => ValueProblems(element, item, $"{path}[{i}]", covered));
        if (DictionaryValue(shape) is { } entry && value is JsonObject map)
            return map.SelectMany(kv => ValueProblems(entry, kv.Value, $"{path}.{kv.Key}", covered));
        return [];
    }

    private sealed record Field(string Name, Type? Shape);

    // A property's JSON name and the type whose fields the doc must show there (null: any JSON).
    private static IEnumerable<Field> Fields(Type record) => record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonExtensionDataAttribute>() is null && p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
        .Select(p => new Field(p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? Naming.ConvertName(p.Name),
            p.GetCustomAttribute<WireShapeAttribute>()?.Shape ?? Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType));

    private static void Collect(Type type, HashSet<Type> found)
    {
        if (Element(type) is { } element) { Collect(element, found); return; }
        if (DictionaryValue(type) is { } value) { Collect(value, found); return; }
        if (!IsRecord(type) || !found.Add(type)) return;
        foreach (var field in Fields(type)) if (field.Shape is { } shape) Collect(shape, found);
    }

    private static bool IsRecord(Type type) =>
        type.Namespace == typeof(ProtocolJsonContext).Namespace && type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null;

    private static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var g && (g == typeof(IReadOnlyList<>) || g == typeof(List<>) || g == typeof(IEnumerable<>))
            ? type.GetGenericArguments()[0] : null;

    private static Type? DictionaryValue(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var g && (g == typeof(IReadOnlyDictionary<,>) || g == typeof(IDictionary<,>) || g == typeof(Dictionary<,>))
            ? type.GetGenericArguments()[1] : null;
}
