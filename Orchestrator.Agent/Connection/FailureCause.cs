using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Agent.Connection;

// Why a call to the manager failed, coarse enough that each distinct cause is logged once.
public sealed record FailureCause(string Kind, string Detail)
{
    public static FailureCause From(Exception exception) => exception switch
    {
        ManagerStatusException status => new($"http {(int)status.StatusCode}", status.Message),
        HttpRequestException { InnerException: SocketException socket } => FromSocket(socket),
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } http => new("dns", http.Message),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } http => new("connection", http.Message),
        HttpRequestException http => new("http", http.Message),
        TimeoutException or TaskCanceledException or OperationCanceledException => new("timeout", "the manager did not answer in time"),
        _ => new(exception.GetType().Name, exception.Message),
    };

    private static FailureCause FromSocket(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => new("dns", socket.Message),
        SocketError.ConnectionRefused => new("refused", socket.Message),
        SocketError.TimedOut => new("timeout", socket.Message),
        _ => new($"socket {socket.SocketErrorCode}", socket.Message),
    };
}

public sealed class ManagerStatusException(HttpStatusCode statusCode, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    // The manager's Retry-After on 429 and 503: the node waits at least this long before that call again.
    public TimeSpan? RetryAfter { get; } = retryAfter;

    // The wait a failed call asks for: the larger of the caller's own backoff and the manager's Retry-After.
    public static TimeSpan AtLeastRetryAfter(Exception? failure, TimeSpan backoff) =>
        failure is ManagerStatusException { RetryAfter: { } wait } && wait > backoff ? wait : backoff;
}
