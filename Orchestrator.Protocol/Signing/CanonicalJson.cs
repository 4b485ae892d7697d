using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Protocol.Signing;

// The canonical JSON of RFC 8785 (JCS) for the values a spec holds, so a vendor's CI can produce the same bytes
// without our code (Python: json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) agrees
// for ASCII keys and for integers and plain decimals): object members sorted by their names' UTF-16 code units,
// no whitespace, strings escaped only where JSON requires (\" \\ \b \f \n \r \t, other controls as \u00xx),
// numbers as ECMAScript prints them.
public static class CanonicalJson
{
    public static byte[] Bytes(JsonNode? value)
    {
        var text = new StringBuilder();
        Write(text, value);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Write(StringBuilder text, JsonNode? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (name, member) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) text.Append(',');
                    first = false;
                    WriteString(text, name);
                    text.Append(':');
                    Write(text, member);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Write(text, array[i]);
                }
                text.Append(']');
                break;
            case JsonValue leaf:
                WriteLeaf(text, leaf);
                break;
        }
    }

    private static void WriteLeaf(StringBuilder text, JsonValue leaf)
    {
        switch (leaf.GetValueKind())
        {
            case JsonValueKind.String: WriteString(text, leaf.GetValue<string>()); break;
            case JsonValueKind.True: text.Append("true"); break;
            case JsonValueKind.False: text.Append("false"); break;
            case JsonValueKind.Null: text.Append("null"); break;
            case JsonValueKind.Number: text.Append(Number(leaf.GetValue<double>())); break;
            default: throw new ArgumentException($"not a JSON value: {leaf.GetValueKind()}");
        }
    }

    // ECMAScript's Number.prototype.toString: integers without a fraction, else the shortest round-trip form.
    private static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new ArgumentException("JSON has no NaN or Infinity");
        if (value == Math.Floor(value) && Math.Abs(value) < 1e21) return ((decimal)value).ToString(CultureInfo.InvariantCulture);
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        if (!shortest.Contains('E')) return shortest;
        var (mantissa, exponent) = (shortest[..shortest.IndexOf('E')], int.Parse(shortest[(shortest.IndexOf('E') + 1)..], CultureInfo.InvariantCulture));
        if (exponent is >= -6 and < 21) return decimal.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        return mantissa + "e" + (exponent > 0 ? "+" : "-") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }
}
