using Orchestrator.Protocol;
using Orchestrator.Validation.Http;

namespace Orchestrator.Validation.Phases;

// Everything a phase uses: the deployment's clients, the clock, and (in the test suite) a manager outage.
public sealed class PhaseContext(ValidationSettings settings, HttpClient http, TimeProvider time, IManagerOutage? outage = null)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public ValidationSettings Settings => settings;

    public TimeProvider Time => time;

    public IManagerOutage? Outage => outage;

    public ManagerCalls Manager { get; } = new(http, settings.ManagerUrl, settings.AdminPassword);

    public JsonHttp Http { get; } = new(http);

    public IReadOnlyList<OrchestratorClient> Orchestrators { get; } =
        settings.Orchestrators.Select(o => new OrchestratorClient(new JsonHttp(http), o)).ToList();

    public async Task<IReadOnlyList<OrchestratorIdentity>> IdentifyOrchestratorsAsync(CancellationToken ct)
    {
        var containers = await Manager.ContainersAsync(ct);
        var identities = new List<OrchestratorIdentity>();
        foreach (var orchestrator in Orchestrators) identities.Add(await OrchestratorIdentity.ResolveAsync(orchestrator, containers, ct));
        return identities;
    }

    // Polls until probe returns a value. A failing call counts as "not yet" (a service may be restarting);
    // at the phase's deadline the failure names what was awaited and what was last seen.
    public async Task<T> WaitForAsync<T>(string what, Func<CancellationToken, Task<(T? Value, string Seen)>> probe, CancellationToken ct)
        where T : class
    {
        var seen = "nothing yet";
        while (true)
        {
            try
            {
                var (value, observation) = await probe(ct);
                if (value is not null) return value;
                seen = observation;
                await Task.Delay(PollInterval, time, ct);
            }
            catch (ValidationFailure failure)
            {
                seen = failure.Message;
                await DelayOrThrow();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw Timeout();
            }
        }

        async Task DelayOrThrow()
        {
            try { await Task.Delay(PollInterval, time, ct); }
            catch (OperationCanceledException) { throw Timeout(); }
        }

        ValidationFailure Timeout() =>
            new($"{what}: not within the {settings.Timeout.TotalSeconds:0}s timeout (last seen: {seen})");
    }
}
