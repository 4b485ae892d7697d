using System.Net;
using Orchestrator.Protocol;
using Orchestrator.Validation.Phases;

namespace Orchestrator.Validation.Http;

// An orchestrator's own local API, reached directly at its operator's URL (no manager in between).
public sealed class OrchestratorClient(JsonHttp http, OrchestratorTarget target)
{
    private static readonly ProtocolJsonContext Json = ProtocolJsonContext.Default;

    public OrchestratorTarget Target => target;

    public Task<HealthResponse> HealthAsync(CancellationToken ct) =>
        Labelled(async () => (await http.GetAsync(Url(ManagerRoutes.Health), null, ct)).Read(Json.HealthResponse));

    public Task<NodeAgentList> AgentsAsync(CancellationToken ct) =>
        Labelled(async () => (await http.GetAsync(Url(NodeRoutes.Agents), null, ct)).Read(Json.NodeAgentList));

    public Task<NodeAgent?> AgentAsync(string agentId, CancellationToken ct) => Labelled(async () =>
    {
        var answer = await http.GetAsync(Url(ManagerRoutes.WithId(NodeRoutes.Agent, agentId)), null, ct);
        return answer.Status == HttpStatusCode.NotFound ? null : answer.Read(Json.NodeAgent);
    });

    // With several orchestrators in one phase, every failure says which one it was.
    private async Task<T> Labelled<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ValidationFailure failure)
        {
            throw new ValidationFailure($"{target.Label}: {failure.Message}");
        }
    }

    private Uri Url(string path) => new(target.Url, path);
}
