using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Telemetry;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

[Trait(TestLevel.Name, TestLevel.Api)]
public class ManagerFeatureTests(ManagerApiFixture fixture) : IClassFixture<ManagerApiFixture>
{
    private ManagerFactory Manager => fixture.Manager;

    [Fact]
    public async Task OpenApiDocumentDescribesTheManagerApi()
    {
        using var client = Manager.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/auth/token", "/api/v1/cluster/containers/register", "/api/v1/cluster/containers/{id}/heartbeat",
                     "/api/v1/cluster/containers", "/api/v1/cluster/containers/{id}", "/api/v1/cluster/status" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is documented");
        }
    }

    [Fact]
    public async Task RegistrationsAndHeartbeatsAreMeasuredOnTheManagerMeter()
    {
        var measurements = new List<(string Instrument, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ManagerMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (measurements) measurements.Add((i.Name, v)); });
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => { lock (measurements) measurements.Add((i.Name, v)); });
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => { lock (measurements) measurements.Add((i.Name, v)); });
        listener.Start();

        var name = Registrations.UniqueName();
        using var cluster = await Manager.CreateClusterClientAsync(name);
        var id = await cluster.RegisterIdAsync(name);
        (await cluster.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id))).EnsureSuccessStatusCode();
        listener.RecordObservableInstruments();

        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "orchestrator.manager.registrations");
            Assert.Contains(measurements, m => m.Instrument == "orchestrator.manager.heartbeats");
            Assert.Contains(measurements, m => m.Instrument == "orchestrator.manager.heartbeat.duration");
            Assert.Contains(measurements, m => m.Instrument == "orchestrator.manager.containers");
        }
    }

    [Fact]
    public void InDevelopmentMissingSecretsAreGenerated()
    {
        using var manager = new ManagerFactory(fixture.Redis, new()
        {
            ["Manager:AdminPassword"] = "", ["Manager:JwtSecret"] = "", ["Manager:MasterSecretKey"] = "",
        }).WithWebHostBuilder(web => web.UseEnvironment("Development"));
        var options = manager.Services.GetRequiredService<IOptions<ManagerOptions>>().Value;
        Assert.True(options.JwtSecret.Length >= 32, "a generated JWT secret is long enough");
        Assert.NotEmpty(options.AdminPassword);
        Assert.True(options.MasterSecretKey?.Length >= 32, "a generated master secret key is long enough");
    }

    [Fact]
    public async Task WithDistributedModeOffRegistrationsAreRefused()
    {
        await using var manager = new ManagerFactory(fixture.Redis, new() { ["Manager:EnableDistributed"] = "false" });
        using var admin = await manager.CreateAdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/cluster/containers/register", Registrations.SeedPayload(Registrations.UniqueName()));
        await response.AssertProblemAsync((int)HttpStatusCode.ServiceUnavailable);
    }
}
