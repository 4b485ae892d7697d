namespace Orchestrator.Bench.Ceiling;

// The same paths and bodies the simulator sends the manager, answered at once. Login and
// register exist only so the simulator runs its identical flow; the heartbeat is what is compared.
public static class CeilingApi
{
    private static readonly HeartbeatResponse Ok = new("ok", "healthy", 30);

    public static WebApplication MapCeilingApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/auth/token", (TokenRequest request) =>
            TypedResults.Ok(new TokenResponse("ceiling", "bearer", 3600, request.ContainerName is null ? "admin" : "cluster")));
        api.MapPost("/cluster/containers/register", (RegisterRequest request) =>
            TypedResults.Ok(new RegisterResponse(request.ContainerName, request.ContainerName, "healthy", 30)));
        api.MapPost("/cluster/containers/{id}/heartbeat", Heartbeat);
        app.MapGet("/health", () => "Healthy");
        return app;
    }

    // Deserializing the body keeps the JSON cost the manager pays; a mismatched id is the one check.
    public static IResult Heartbeat(string id, HeartbeatRequest request) =>
        request.ContainerId == id ? TypedResults.Ok(Ok) : TypedResults.NotFound();
}
