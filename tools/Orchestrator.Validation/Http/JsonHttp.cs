using System.Net.Http.Headers;
using System.Net;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using System.Text;
using Orchestrator.Validation.Phases;

namespace Orchestrator.Validation.Http;

// Plain HTTP calls whose failures read as sentences naming the call ("GET http://x/health: Connection refused").
public sealed class JsonHttp(HttpClient client)
{
    // Each call gets its own limit, so one hung service costs seconds, not the whole phase.
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public async Task<HttpAnswer> SendAsync(HttpMethod method, Uri url, string? token, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(CallTimeout);
        try
        {
            using var response = await client.SendAsync(request, limit.Token);
            return new HttpAnswer(method, url, response.StatusCode, await response.Content.ReadAsStringAsync(limit.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ValidationFailure($"{method} {url}: no answer within {CallTimeout.TotalSeconds:0}s");
        }
        catch (HttpRequestException ex)
        {
            throw new ValidationFailure($"{method} {url}: {ex.Message}");
        }
    }

    public Task<HttpAnswer> GetAsync(Uri url, string? token, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, url, token, null, cancellationToken);
}

public sealed record HttpAnswer(HttpMethod Method, Uri Url, HttpStatusCode Status, string Body)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    public string Call => $"{Method} {Url}";

    // The body as T, or a ValidationFailure that quotes what came back instead.
    public T Read<T>(JsonTypeInfo<T> type)
    {
        if (!Ok) throw new ValidationFailure($"{Call}: {(int)Status} {Status}{Excerpt()}");
        try
        {
            return JsonSerializer.Deserialize(Body, type) ?? throw new JsonException("null body");
        }
        catch (JsonException ex)
        {
            throw new ValidationFailure($"{Call}: unexpected body ({ex.Message}){Excerpt()}");
        }
    }

    public string Excerpt() => string.IsNullOrWhiteSpace(Body) ? "" : ": " + (Body.Length > 300 ? Body[..300] + "..." : Body);
}
