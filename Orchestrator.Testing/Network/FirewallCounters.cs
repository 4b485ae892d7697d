namespace Orchestrator.Testing.Network;

// The lab's proof of "nodes dial out only", read from nftables counters in the namespaces:
// - VendorDialsIntoCustomers: new connections (any protocol) the vendor namespace tried to open to 10.200.0.0/16,
//   counted as they leave the vendor (so an attempt counts even though the router would drop it);
// - RouterRefusedVendorToCustomer: new connections from the vendor side the router dropped on their way in;
// - CustomersToVendor: new connections customers opened to the vendor, the control that the counters count.
public sealed record FirewallCounters(long VendorDialsIntoCustomers, long RouterRefusedVendorToCustomer, long CustomersToVendor)
{
    public long VendorToCustomerAttempts => VendorDialsIntoCustomers + RouterRefusedVendorToCustomer;

    public override string ToString() =>
        $"vendor→customer new connections: {VendorDialsIntoCustomers} leaving the vendor, {RouterRefusedVendorToCustomer} dropped at the router; " +
        $"customer→vendor new connections: {CustomersToVendor}";
}
