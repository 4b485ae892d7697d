using Orchestrator.Protocol;

namespace Orchestrator.Bench.Ceiling;

// The same paths and bodies the simulator sends the manager, answered at once. Login and
// register exist only so the simulator runs its identical flow; the heartbeat is what is compared.
public static class CeilingApi
{
    private static readonly HeartbeatResponse Ok = new("ok", ContainerStatus.Healthy, 30);

    public static WebApplication MapCeilingApi(this WebApplication app)
    {
        app.MapPost(ManagerRoutes.Token, (TokenRequest request) =>
            TypedResults.Ok(new TokenResponse("ceiling", "bearer", 3600, request.ContainerName is null ? TokenRequest.Admin : TokenRequest.Cluster)));
        app.MapPost(ManagerRoutes.Register, (RegisterContainerRequest request) =>
            TypedResults.Ok(new RegisterContainerResponse(request.ContainerName!, request.ContainerName!, ContainerStatus.Healthy, 30)));
        app.MapPost(ManagerRoutes.Heartbeat, Heartbeat);
        app.MapGet(ManagerRoutes.Health, () => "Healthy");
        return app;
    }

    // Deserializing the body keeps the JSON cost the manager pays; a mismatched id is the one check.
    public static IResult Heartbeat(string id, HeartbeatRequest request) =>
        request.ContainerId == id ? TypedResults.Ok(Ok) : TypedResults.NotFound();
}
