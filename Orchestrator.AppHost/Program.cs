using Orchestrator.AppHost.Extensions;

var builder = DistributedApplication.CreateBuilder(args);

var redis = builder.AddOrchestratorRedis("redis");
var secrets = builder.AddSharedSecrets();

var manager = builder.AddProject<Projects.Orchestrator_Manager>("manager")
    .WithHttpEndpoint(port: 8000)
    .WithReference(redis)
    .WaitFor(redis)
    .WithSecrets(secrets)
    .WithHeartbeatInterval()
    .WithHttpHealthCheck("/health");

// Where installed: a loopback OCI registry and a podman service, so nodes can run `container` agents.
var engine = builder.AddLocalContainerEngine();
builder.AddOrchestrators(manager, secrets, engine);

// The operators' web console: talks to the manager only through its public API (service discovery).
builder.AddProject<Projects.Orchestrator_Console>("console")
    .WithHttpEndpoint(port: 8080)
    .WithReference(manager)
    .WaitFor(manager)
    .WithExternalHttpEndpoints();

builder.Build().Run();
