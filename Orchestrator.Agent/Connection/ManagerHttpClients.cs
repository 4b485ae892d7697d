namespace Orchestrator.Agent.Connection;

// The names of the node's two HTTP clients for the manager; registered by Extensions/ManagerConnectionExtensions.
public static class ManagerHttpClients
{
    public const string Calls = "manager";

    // The assignments long-poll: its timeout is the longest wait plus a margin.
    public const string LongPoll = "manager-long-poll";
}
