using Orchestrator.Agent.Apis;
using Orchestrator.Agent.Extensions;

var builder = WebApplication.CreateBuilder(ServiceContentRoot.Options(args));

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapNodeAgentsApi();

return app.RunOrExit();
