using Orchestrator.Console.Components;
using Orchestrator.Console.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddConsoleServices();

var app = builder.Build();

app.UseConsolePipeline();
app.MapDefaultEndpoints();
app.MapConsoleSession();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
