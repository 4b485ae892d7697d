namespace Orchestrator.Testing.Network;

// What a customer's path to the vendor does to traffic, since the kernel here has no netem: each chunk of
// bytes is delayed by Latency ± Jitter in each direction (order kept), a fraction of connections is reset
// (RST) at a random moment within ResetWithin, and DropResponses swallows everything the vendor sends back
// while the customer's requests still arrive: the asymmetric fault.
public sealed record WanProfile
{
    // The path: 50 ms ± 10 ms each way, 1% of connections reset.
    public static WanProfile Default { get; } = new();

    // A clean wire: no delay, no resets (the relay only forwards).
    public static WanProfile Clean { get; } = new() { Latency = TimeSpan.Zero, Jitter = TimeSpan.Zero, ResetFraction = 0 };

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan Jitter { get; init; } = TimeSpan.FromMilliseconds(10);

    public double ResetFraction { get; init; } = 0.01;

    public TimeSpan ResetWithin { get; init; } = TimeSpan.FromSeconds(2);

    public bool DropResponses { get; init; }

    public override string ToString() =>
        $"{Latency.TotalMilliseconds:0} ms ± {Jitter.TotalMilliseconds:0} ms each way, {ResetFraction:P1} of connections reset" +
        (DropResponses ? ", responses dropped" : "");
}
