namespace Orchestrator.Agent.Connection;

// The names of the node's HTTP clients for the manager; registered by Extensions/ManagerConnectionExtensions.
public static class ManagerHttpClients
{
    public const string Calls = "manager";

    // The assignments long-poll: its timeout is the longest wait plus a margin.
    public const string LongPoll = "manager-long-poll";

    // Log shipping: its own client and connections, so a backlog of logs never queues ahead of a heartbeat.
    public const string Logs = "manager-logs";
}
