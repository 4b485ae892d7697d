namespace Orchestrator.Agent.Fencing;

// When the node last sent a heartbeat or registration the manager accepted: leases run from there.
// Connection/ConnectionState is the one the node uses; declared here so fencing does not depend on the room above it.
public interface ILeaseClock
{
    DateTimeOffset? LeaseStart { get; }
}
