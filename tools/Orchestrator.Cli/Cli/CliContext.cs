using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orchestrator.Cli.Session;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Cli.Cli;

// What every command works with: the three streams, the environment, the saved login and a client for it.
public sealed class CliContext(TextReader input, TextWriter output, TextWriter error, Func<string, string?> variable)
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private HttpClient? _http;

    public TextReader In { get; } = input;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public string? Variable(string name) => variable(name);

    public ConfigDirectory Config { get; } = ConfigDirectory.FromEnvironment(variable);

    // One HTTP connection pool for the run; no timeout of its own so `events` can stream for hours
    // (ordinary calls get CallTimeout through their cancellation token).
    public HttpClient Http => _http ??= new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

    // The saved login's client. Its token is used as is; when the manager answers 401 (expired, or the
    // manager's secret changed) the client would log in again, and there is no password to do it with.
    public ManagerClient Client()
    {
        var login = Config.Require();
        var client = new ManagerClient(Http, ManagerCredentials.From(_ => throw new CliFailure(
            $"the saved login for {login.Url} expired or was refused; run `orchestrator login` again")))
        {
            BaseAddress = new Uri(login.Url.TrimEnd('/') + "/"),
        };
        client.UseToken(login.AccessToken);
        return client;
    }

    public static CancellationToken WithCallTimeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(CallTimeout);
        return source.Token;
    }

    // --json prints the record as the manager's JSON; otherwise the table (or text) a person reads.
    public int Print<T>(ParseResult parse, T value, JsonTypeInfo<T> type, Action<T> forPeople)
    {
        if (parse.GetValue(CliApp.Json)) Out.WriteLine(JsonSerializer.Serialize(value, type));
        else forPeople(value);
        return ExitCodes.Success;
    }

    public int Done(ParseResult parse, string result) =>
        Print(parse, new Done(result), CliJsonContext.Default.Done, d => Out.WriteLine(d.Result));
}
