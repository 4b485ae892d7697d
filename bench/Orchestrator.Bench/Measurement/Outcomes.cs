using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Bench.Measurement;

public enum Outcome { Ok, ClientError, ServerError, Refused, Transport, Timeout }

// Counts every call's outcome; 4xx and 5xx also by status code, so the report can name them.
public sealed class OutcomeCounts
{
    private readonly long[] _counts = new long[Enum.GetValues<Outcome>().Length];
    private readonly ConcurrentDictionary<int, long> _byStatus = new();

    public void Add(Outcome outcome) => Interlocked.Increment(ref _counts[(int)outcome]);

    public Outcome AddStatus(HttpStatusCode status)
    {
        var code = (int)status;
        var outcome = code switch { < 400 => Outcome.Ok, < 500 => Outcome.ClientError, _ => Outcome.ServerError };
        if (outcome != Outcome.Ok) _byStatus.AddOrUpdate(code, 1, (_, n) => n + 1);
        Add(outcome);
        return outcome;
    }

    public Outcome AddException(Exception exception)
    {
        var outcome = Classify(exception);
        Add(outcome);
        return outcome;
    }

    public static Outcome Classify(Exception exception) => exception switch
    {
        OperationCanceledException or TimeoutException => Outcome.Timeout,
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => Outcome.Refused,
        _ => Outcome.Transport,
    };

    public long this[Outcome outcome] => Interlocked.Read(ref _counts[(int)outcome]);
    public long Errors => this[Outcome.ClientError] + this[Outcome.ServerError] + this[Outcome.Refused] + this[Outcome.Transport] + this[Outcome.Timeout];

    public OutcomeSummary Summarize() => new(this[Outcome.Ok], this[Outcome.ClientError], this[Outcome.ServerError],
        this[Outcome.Refused], this[Outcome.Transport], this[Outcome.Timeout],
        _byStatus.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(), p => p.Value));
}

public sealed record OutcomeSummary(long Ok, long Status4xx, long Status5xx, long Refused, long Transport, long Timeout,
    IReadOnlyDictionary<string, long> ErrorsByStatus)
{
    public long Errors => Status4xx + Status5xx + Refused + Transport + Timeout;
}
