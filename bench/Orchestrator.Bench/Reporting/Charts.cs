using Orchestrator.Bench.Scenarios;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Orchestrator.Bench.Reporting;

// PNG charts, drawn without a browser: latency against load, throughput, memory and reads against
// fleet size, and the reconnect curve. Returns the file names written.
public static class Charts
{
    private const int Width = 900, Height = 520;

    public static IReadOnlyList<string> Draw(RunReport report, string directory)
    {
        var written = new List<string>();
        if (report.Heartbeats is { } h)
        {
            written.Add(Save(HeartbeatLatency(h), directory, "heartbeat-latency.png"));
            written.Add(Save(HeartbeatThroughput(h), directory, "heartbeat-throughput.png"));
        }
        if (report.Fleet is { Steps.Count: > 0 } f)
        {
            written.Add(Save(FleetMemory(f), directory, "fleet-memory.png"));
            written.Add(Save(FleetReads(f), directory, "fleet-reads.png"));
        }
        if (report.Reconnect is { Timeline.Count: > 0 } c) written.Add(Save(Reconnect(c), directory, "reconnect.png"));
        return written;
    }

    private static Plot HeartbeatLatency(HeartbeatsResult h)
    {
        var plot = new Plot();
        foreach (var (target, pattern) in new[] { (h.Manager, LinePattern.Solid), (h.Ceiling, LinePattern.Dashed) })
        {
            var x = target.Steps.Select(s => s.Heartbeats.OfferedPerSecond).ToArray();
            foreach (var (name, pick, color) in new (string, Func<Measurement.LatencySummary, double>, Color)[]
                     { ("p50", l => l.P50Ms, Colors.SteelBlue), ("p99", l => l.P99Ms, Colors.DarkOrange), ("p99.9", l => l.P999Ms, Colors.Crimson) })
            {
                var y = target.Steps.Select(s => Math.Log10(Math.Max(0.01, pick(s.Heartbeats.Latency)))).ToArray();
                var line = plot.Add.Scatter(x, y);
                line.LegendText = $"{target.Target} {name}";
                line.LinePattern = pattern;
                line.Color = color;
                line.MarkerSize = 6;
            }
        }
        var goal = plot.Add.HorizontalLine(Math.Log10(Goals.IngestP99Ms));
        goal.LegendText = "goal: p99 20 ms";
        goal.Color = Colors.Gray;
        goal.LinePattern = LinePattern.Dotted;
        LogY(plot);
        plot.Title($"Heartbeat latency against offered load ({h.Clusters:N0} clusters, open loop)");
        plot.XLabel("offered heartbeats per second");
        plot.YLabel("latency from intended send, ms (log)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot HeartbeatThroughput(HeartbeatsResult h)
    {
        var plot = new Plot();
        foreach (var (target, color) in new[] { (h.Manager, Colors.DarkOrange), (h.Ceiling, Colors.SteelBlue) })
        {
            var line = plot.Add.Scatter(target.Steps.Select(s => s.Heartbeats.OfferedPerSecond).ToArray(),
                target.Steps.Select(s => s.Heartbeats.AchievedPerSecond).ToArray());
            line.LegendText = $"{target.Target} (open loop)";
            line.Color = color;
            var saturated = plot.Add.HorizontalLine(target.Saturated.Heartbeats.AchievedPerSecond);
            saturated.LegendText = $"{target.Target} saturated: {target.Saturated.Heartbeats.AchievedPerSecond:N0}/s";
            saturated.Color = color;
            saturated.LinePattern = LinePattern.Dashed;
        }
        plot.Title("Heartbeats answered per second");
        plot.XLabel("offered heartbeats per second");
        plot.YLabel("answered per second");
        plot.Axes.SetLimitsY(0, Math.Max(h.Ceiling.Saturated.Heartbeats.AchievedPerSecond, h.Manager.Saturated.Heartbeats.AchievedPerSecond) * 1.15);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot FleetMemory(FleetResult f)
    {
        var plot = new Plot();
        var x = f.Steps.Select(s => (double)s.Clusters).ToArray();
        var rss = plot.Add.Scatter(x, f.Steps.Select(s => s.ManagerRssMiB).ToArray());
        rss.LegendText = "manager RSS";
        rss.Color = Colors.DarkOrange;
        var redis = plot.Add.Scatter(x, f.Steps.Select(s => s.RedisUsedMiB).ToArray());
        redis.LegendText = "Redis used_memory";
        redis.Color = Colors.SteelBlue;
        var goal = plot.Add.HorizontalLine(Goals.FleetRssMiB);
        goal.LegendText = "goal: 1 GiB RSS";
        goal.Color = Colors.Gray;
        goal.LinePattern = LinePattern.Dotted;
        plot.Title("Memory against registered clusters");
        plot.XLabel("registered clusters (all heartbeating)");
        plot.YLabel("MiB");
        plot.Axes.SetLimitsY(0, Math.Max(Goals.FleetRssMiB, f.Steps.Max(s => Math.Max(s.ManagerRssMiB, s.RedisUsedMiB))) * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot FleetReads(FleetResult f)
    {
        var plot = new Plot();
        var x = f.Steps.Select(s => (double)s.Clusters).ToArray();
        foreach (var (name, pick, color) in new (string, Func<FleetStep, double>, Color)[]
                 {
                     ("GET /status p99", s => s.Status.Latency.P99Ms, Colors.Crimson),
                     ("GET /containers p99", s => s.Containers.Latency.P99Ms, Colors.DarkOrange),
                     ("heartbeat p99", s => s.Heartbeats.Latency.P99Ms, Colors.SteelBlue),
                 })
        {
            var line = plot.Add.Scatter(x, f.Steps.Select(s => Math.Log10(Math.Max(0.01, pick(s)))).ToArray());
            line.LegendText = name;
            line.Color = color;
        }
        var goal = plot.Add.HorizontalLine(Math.Log10(Goals.StatusP99Ms));
        goal.LegendText = "goal: /status p99 200 ms";
        goal.Color = Colors.Gray;
        goal.LinePattern = LinePattern.Dotted;
        LogY(plot);
        plot.Title("Latency against registered clusters");
        plot.XLabel("registered clusters (all heartbeating)");
        plot.YLabel("p99 ms (log)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot Reconnect(ReconnectResult c)
    {
        var plot = new Plot();
        var line = plot.Add.Scatter(c.Timeline.Select(p => p.SecondsSinceStop).ToArray(), c.Timeline.Select(p => (double)p.ClustersBack).ToArray());
        line.LegendText = "clusters back";
        line.MarkerSize = 0;
        line.Color = Colors.SteelBlue;
        var ready = plot.Add.VerticalLine(c.DowntimeSeconds);
        ready.LegendText = $"new manager healthy ({c.DowntimeSeconds:0.0} s)";
        ready.Color = Colors.DarkOrange;
        var goal = plot.Add.VerticalLine(c.DowntimeSeconds + Goals.RestartFromReadySeconds);
        goal.LegendText = $"goal: healthy + {Goals.RestartFromReadySeconds:0} s";
        goal.Color = Colors.Gray;
        goal.LinePattern = LinePattern.Dotted;
        plot.Title($"Clusters back after a manager restart ({c.Clusters:N0} clusters, {c.HeartbeatIntervalSeconds:0} s interval)");
        plot.XLabel("seconds since SIGTERM");
        plot.YLabel("clusters with a heartbeat answered by the new manager");
        plot.Axes.SetLimitsY(0, c.Clusters * 1.05);
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    // Values are plotted as log10; the ticks are labelled with the real value.
    private static void LogY(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string Save(Plot plot, string directory, string name)
    {
        plot.SavePng(Path.Combine(directory, name), Width, Height);
        return name;
    }
}
