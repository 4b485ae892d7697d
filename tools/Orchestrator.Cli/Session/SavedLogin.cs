namespace Orchestrator.Cli.Session;

// What `orchestrator login` keeps between runs (credentials.json, mode 0600). Never the password.
public sealed record SavedLogin(string Url, string Username, string AccessToken, string Role, DateTimeOffset ExpiresAt);

// What `login` prints: who is logged in where, not the token.
public sealed record LoginResult(string Url, string Username, string Role, DateTimeOffset ExpiresAt, string ConfigFile);
