using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Agent.Connection;

// "Am I in a container, and does it know the host gateway?", injected so endpoint resolution is testable off Docker.
public interface IContainerProbe
{
    bool IsInContainer { get; }

    bool Resolves(string host);
}

public sealed class DockerEnvProbe : IContainerProbe
{
    public bool IsInContainer => File.Exists("/.dockerenv");

    public bool Resolves(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host).Length > 0;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
