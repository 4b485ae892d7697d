using System.Text.Json;

namespace Orchestrator.Console.Components;

// A form's text as the JSON string the wire expects (null when empty, so the manager names the missing field).
public readonly record struct JsonElementBox(string? Text)
{
    public JsonElement? Value
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Text)) return null;
            using var document = JsonDocument.Parse("\"" + JsonEncodedText.Encode(Text.Trim()) + "\"");
            return document.RootElement.Clone();
        }
    }
}
