using Orchestrator.Agent.Apis;
using Orchestrator.Agent.Extensions;

var builder = WebApplication.CreateBuilder(ServiceContentRoot.Options(args));

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAgentsApi();

return app.RunOrExit();
