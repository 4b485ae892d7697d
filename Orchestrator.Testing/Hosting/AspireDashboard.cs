using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orchestrator.Testing.Hosting;

// The real Aspire dashboard as a child process: the same binary the AppHost runs (Aspire.Dashboard.Sdk, from the
// NuGet cache), receiving OTLP/HTTP from real services, read back through its telemetry API
// (GET /api/telemetry/spans, OTLP JSON). Unsecured (browser, OTLP and API), on loopback ports only.
//
//   await using var dashboard = await AspireDashboard.StartAsync();
//   environment = dashboard.ExporterEnvironment("manager");   // for a service process
//   var spans = await dashboard.SpansAsync(traceId);
public sealed class AspireDashboard : IAsyncDisposable
{
    private const string Package = "aspire.dashboard.sdk.linux-x64";

    private readonly ChildProcess _process;
    private readonly HttpClient _api;

    private AspireDashboard(ChildProcess process, string otlpUrl)
    {
        _process = process;
        OtlpHttpUrl = otlpUrl;
        _api = new HttpClient { BaseAddress = process.Url, Timeout = TimeSpan.FromSeconds(15) };
    }

    public string OtlpHttpUrl { get; }

    public string Log => _process.Log;

    // The dashboard binary of the newest Aspire.Dashboard.Sdk in the NuGet cache (restored with the AppHost),
    // or null when there is none (not built on this machine, or not Linux x64).
    public static string? Find()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var package = new DirectoryInfo(Path.Combine(root, Package));
        if (!package.Exists) return null;
        return package.GetDirectories()
            .Select(d => (Version: Version.TryParse(d.Name.Split('-')[0], out var v) ? v : new Version(), Binary: Path.Combine(d.FullName, "tools", "Aspire.Dashboard")))
            .Where(x => File.Exists(x.Binary))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Binary)
            .FirstOrDefault();
    }

    public static async Task<AspireDashboard> StartAsync()
    {
        var binary = Find() ?? throw new InvalidOperationException($"No Aspire dashboard in the NuGet cache ({Package}); build the AppHost once.");
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var otlp = $"http://127.0.0.1:{FreePort.Next()}";
        var process = ChildProcess.Start(new ProcessSpec(binary, []) with
        {
            Name = "dashboard",
            Url = url,
            Environment = new Dictionary<string, string>
            {
                ["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = otlp,
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
                ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
                ["Dashboard__Api__AuthMode"] = "Unsecured",
                // Room for every span of a test run; the default keeps 10,000.
                ["Dashboard__TelemetryLimits__MaxTraceCount"] = "100000",
            },
        });
        var dashboard = new AspireDashboard(process, otlp);
        try
        {
            await process.WaitForHttpAsync(new Uri(url, "/api/telemetry/spans?limit=1").ToString(), TimeSpan.FromSeconds(60));
            return dashboard;
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
    }

    // What a .NET service needs to export its traces here quickly: OTLP/HTTP, a short batch delay.
    public Dictionary<string, string> ExporterEnvironment(string serviceName) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = OtlpHttpUrl,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };

    // Spans the dashboard holds, newest last; of one trace when traceId is given.
    public async Task<IReadOnlyList<TelemetrySpan>> SpansAsync(string? traceId = null)
    {
        var query = traceId is null ? "limit=100000" : $"limit=100000&traceId={traceId}";
        using var response = await _api.GetAsync($"/api/telemetry/spans?{query}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return [];
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return TelemetrySpan.FromOtlpJson(body.GetProperty("data")).OrderBy(s => s.Start).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _process.DisposeAsync();
    }
}

// One span as the dashboard's telemetry API returns it (OTLP JSON), with its service's name.
public sealed record TelemetrySpan(
    string Service, string Scope, string TraceId, string SpanId, string? ParentSpanId, string Name, DateTimeOffset Start,
    IReadOnlyDictionary<string, string> Attributes)
{
    public bool IsRoot => string.IsNullOrEmpty(ParentSpanId);

    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    public override string ToString() => $"{Service}: {Name} ({Scope}) {TraceId}/{SpanId} <- {ParentSpanId ?? "-"}";

    public static IEnumerable<TelemetrySpan> FromOtlpJson(JsonElement data)
    {
        foreach (var resource in Array(data, "resourceSpans"))
        {
            var service = resource.TryGetProperty("resource", out var r) ? AttributesOf(r).GetValueOrDefault("service.name") ?? "" : "";
            foreach (var scope in Array(resource, "scopeSpans"))
            {
                var scopeName = scope.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                foreach (var span in Array(scope, "spans"))
                {
                    var start = long.Parse(span.GetProperty("startTimeUnixNano").ToString(), CultureInfo.InvariantCulture);
                    yield return new TelemetrySpan(service, scopeName,
                        span.GetProperty("traceId").GetString()!, span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                        span.GetProperty("name").GetString()!,
                        DateTimeOffset.UnixEpoch.AddTicks(start / 100),
                        AttributesOf(span));
                }
            }
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];

    // OTLP JSON's typed values ({"stringValue": ...}, {"intValue": "3"}, {"boolValue": true}) as text.
    private static Dictionary<string, string> AttributesOf(JsonElement element)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var attribute in Array(element, "attributes"))
        {
            if (!attribute.TryGetProperty("value", out var value)) continue;
            var text = value.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ToString()).FirstOrDefault();
            attributes[attribute.GetProperty("key").GetString()!] = text ?? "";
        }
        return attributes;
    }
}
