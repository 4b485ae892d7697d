using Orchestrator.Manager.Apis;
using Orchestrator.Manager.Extensions;

var builder = WebApplication.CreateBuilder(ServiceContentRoot.Options(args));

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (!app.HasValidSettings()) return 1;

app.UseManagerPipeline();
app.MapDefaultEndpoints();
app.MapApiDocs();
app.MapAuthApi();
app.MapContainersApi();
app.MapEnrollmentApi();
app.MapClusterStatusApi();
app.MapAgentsApi();
app.MapDeploymentsApi();
app.MapAssignmentsApi();
app.MapClusterMetricsApi();
app.MapEventsApi();
app.MapLogsApi();
app.MapJournalApi();
app.MapOperatorsApi();
app.MapTenantsApi();
app.MapSecretsApi();
app.MapReschedulingApi();
app.MapContainerEligibilityApi();
app.MapContainerDrainApi();
app.MapAgentLifecycleApi();
app.MapClusterVersionsApi();
app.MapMaintenanceApi();
app.MapAuditApi();

app.Run();
return 0;
