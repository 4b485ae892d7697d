using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Testing.Cluster;

// Deploy bodies the tests and benchmarks send, built from Orchestrator.Protocol's record.
public static class DeployRequests
{
    // A trading agent ticking every 200 ms unless another config is given.
    public static DeployRequest Trading(int replicas = 1, string? onClusterLoss = null, object? agentConfig = null,
        string? deploymentStrategy = null) =>
        new("trading_agent", JsonSerializer.SerializeToElement(agentConfig ?? new { strategy = "momentum", tick_interval_ms = 200 }),
            deploymentStrategy, replicas, OnClusterLoss: onClusterLoss);
}
