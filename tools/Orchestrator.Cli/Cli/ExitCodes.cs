namespace Orchestrator.Cli.Cli;

public static class ExitCodes
{
    public const int Success = 0;
    // The manager refused (its problem's title and field are printed), could not be reached, or no login is saved.
    public const int Failure = 1;
    // What was typed is wrong: an unknown flag, a missing argument, a --config that is not JSON.
    public const int Usage = 2;
}

// A mistake in what the user typed that only shows after parsing (bad JSON, a label without '='): exit 2.
public sealed class UsageException(string message) : Exception(message);

// A failure explained in one sentence for the user, not a stack trace (no saved login, unreadable file): exit 1.
public sealed class CliFailure(string message) : Exception(message);
