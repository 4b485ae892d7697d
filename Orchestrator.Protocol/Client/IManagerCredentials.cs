namespace Orchestrator.Protocol.Client;

// Supplies the login body whenever ManagerClient needs a (new) token. Pluggable so a node can later
// log in with its own enrollment credentials instead of the shared ADMIN_PASSWORD.
public interface IManagerCredentials
{
    ValueTask<TokenRequest> GetLoginAsync(CancellationToken cancellationToken);

    // The manager refused a login these credentials supplied (ManagerClient tells them before throwing), so they
    // can hold back the next one: a node whose credential was revoked must not keep asking.
    void LoginRefused(ManagerProblemException refusal)
    {
    }
}

public static class ManagerCredentials
{
    // An operator (the seed's own client, the validation tool, tests).
    public static IManagerCredentials Admin(string password) => Fixed(TokenRequest.ForAdmin(password));

    // A node, bound to the container_name it registers.
    public static IManagerCredentials Node(string password, string containerName) => Fixed(TokenRequest.ForNode(password, containerName));

    // Read afresh for every login (a password or name that can change while the client lives).
    public static IManagerCredentials From(Func<TokenRequest> login) => new Delegated(_ => ValueTask.FromResult(login()));

    public static IManagerCredentials From(Func<CancellationToken, ValueTask<TokenRequest>> login) => new Delegated(login);

    private static IManagerCredentials Fixed(TokenRequest login) => new Delegated(_ => ValueTask.FromResult(login));

    private sealed class Delegated(Func<CancellationToken, ValueTask<TokenRequest>> login) : IManagerCredentials
    {
        public ValueTask<TokenRequest> GetLoginAsync(CancellationToken cancellationToken) => login(cancellationToken);
    }
}
