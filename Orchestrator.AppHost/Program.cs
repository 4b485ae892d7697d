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

builder.AddOrchestrators(manager, secrets);

builder.Build().Run();
