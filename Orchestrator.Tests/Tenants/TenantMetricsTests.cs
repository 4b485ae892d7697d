using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Tests.Tenants;

// The tenant tag of the manager's metrics stays bounded however many customers send heartbeats.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class TenantMetricsTests
{
    [Fact]
    public void TheFirstTenantsKeepTheirTagAndEveryLaterOneIsOther()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new TenantMetrics(services.GetRequiredService<IMeterFactory>(),
            Microsoft.Extensions.Options.Options.Create(new TenancyOptions { MetricTenants = 2 }));
        var recorded = new List<string>();
        using var listener = new MeterListener();
        // Only this test's meter: a MeterListener hears the whole process, where other tests' managers record
        // under the same meter name at the same time (their heartbeats once changed this list mid-assert).
        var factory = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TenantMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            recorded.Add((string)tags.ToArray().Single(t => t.Key == "tenant").Value!));
        listener.Start();

        foreach (var tenant in new[] { "1", "2", "3", "1", "4", null, "" }) metrics.Heartbeat(tenant);
        metrics.Placed(["2", "2", "9"]);

        Assert.Equal(["1", "2", "other", "1", "other", "none", "none", "2", "other"], recorded);
    }
}
