using System.Net.Sockets;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Agent.Connection;

// Why a call to the manager failed, coarse enough that each distinct cause is logged once.
public sealed record FailureCause(string Kind, string Detail)
{
    public static FailureCause From(Exception exception) => exception switch
    {
        ManagerProblemException status => new($"http {(int)status.StatusCode}", status.Message),
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
