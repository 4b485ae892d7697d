using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Agent.Connection;

namespace Orchestrator.Tests.Agent;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class ManagerEndpointResolverTests
{
    private sealed class Probe(bool inContainer, bool resolves = true) : IContainerProbe
    {
        public bool IsInContainer => inContainer;

        public bool Resolves(string host) => resolves;
    }

    private static Uri Resolve(string url, bool inContainer, bool resolves = true) =>
        new ManagerEndpointResolver(new Probe(inContainer, resolves), NullLogger<ManagerEndpointResolver>.Instance).Resolve(new Uri(url));

    [Theory]
    [InlineData("http://127.0.0.1:8000/", "http://host.docker.internal:8000/")]
    [InlineData("http://localhost:8000/", "http://host.docker.internal:8000/")]
    [InlineData("https://LOCALHOST/", "https://host.docker.internal/")]
    public void InsideAContainerLoopbackBecomesTheDockerHost(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), Resolve(endpoint, inContainer: true));

    [Theory]
    [InlineData("http://127.0.0.1:8000/")]
    [InlineData("http://localhost:8000/")]
    public void OutsideAContainerLoopbackStays(string endpoint) =>
        Assert.Equal(new Uri(endpoint), Resolve(endpoint, inContainer: false));

    [Fact]
    public void OtherHostsStayInsideAContainer() =>
        Assert.Equal(new Uri("http://manager.example.com:8000/"), Resolve("http://manager.example.com:8000/", inContainer: true));

    [Fact]
    public void AContainerThatCannotResolveTheDockerHostKeepsLoopback() =>
        Assert.Equal(new Uri("http://127.0.0.1:8000/"), Resolve("http://127.0.0.1:8000/", inContainer: true, resolves: false));
}
