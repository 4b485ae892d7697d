using System.CommandLine;
using Orchestrator.Cli.Cli;
using Orchestrator.Cli.Session;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Cli.Commands;

// login / logout. The password comes from ORCHESTRATOR_PASSWORD or stdin, never an argument, so it stays
// out of shell history and `ps`.
public static class LoginCommands
{
    public const string PasswordVariable = "ORCHESTRATOR_PASSWORD";
    public const string UrlVariable = "ORCHESTRATOR_URL";
    public const string DefaultUrl = "http://localhost:8000";

    public static Command Login(CliContext context)
    {
        var url = new Option<string?>("--url") { Description = $"The manager, e.g. {DefaultUrl} (default: ${UrlVariable}, else the last login's)" };
        var username = new Option<string>("--username") { Description = "Who logs in", DefaultValueFactory = _ => TokenRequest.Admin };
        var command = new Command("login", $"Log in and keep the token in the config directory (password from ${PasswordVariable} or stdin)")
        {
            url, username,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var manager = Manager(parse.GetValue(url) ?? context.Variable(UrlVariable) ?? context.Config.Load()?.Url ?? DefaultUrl);
            var name = parse.GetValue(username)!;
            var password = ReadPassword(context);
            var client = new ManagerClient(context.Http, ManagerCredentials.From(() => new TokenRequest(name, password)))
            {
                BaseAddress = manager,
            };
            var token = await client.LoginAsync(CliContext.WithCallTimeout(cancellationToken));
            var saved = new SavedLogin(manager.ToString().TrimEnd('/'), name, token.AccessToken, token.Role,
                DateTimeOffset.UtcNow.AddSeconds(token.ExpiresIn));
            context.Config.Save(saved);
            var result = new LoginResult(saved.Url, name, token.Role, saved.ExpiresAt, context.Config.LoginFile);
            return context.Print(parse, result, CliJsonContext.Default.LoginResult,
                r => context.Out.WriteLine($"Logged in to {r.Url} as {r.Username} ({r.Role}) until {r.ExpiresAt:u}; token in {r.ConfigFile}"));
        });
        return command;
    }

    public static Command Logout(CliContext context)
    {
        var command = new Command("logout", "Forget the saved token");
        command.SetAction(parse => context.Done(parse, context.Config.Delete() ? "logged out" : "not logged in"));
        return command;
    }

    private static Uri Manager(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new Uri(value.TrimEnd('/') + "/")
            : throw new UsageException($"--url: '{value}' is not an absolute http(s) URL such as {DefaultUrl}");

    // The environment first (scripts, CI), else one line of stdin: piped, or typed at a prompt without echo.
    private static string ReadPassword(CliContext context)
    {
        if (context.Variable(PasswordVariable) is { Length: > 0 } fromEnvironment) return fromEnvironment;
        string? line;
        if (ReferenceEquals(context.In, Console.In) && !Console.IsInputRedirected)
        {
            context.Error.Write("Password: ");
            line = ReadHidden();
            context.Error.WriteLine();
        }
        else line = context.In.ReadLine();
        return line is { Length: > 0 } ? line : throw new UsageException($"no password: set {PasswordVariable} or pipe it on stdin");
    }

    private static string ReadHidden()
    {
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }
        return typed.ToString();
    }
}
