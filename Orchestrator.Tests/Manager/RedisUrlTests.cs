using System.Net;
using Microsoft.Extensions.Configuration;
using Orchestrator.Manager.Extensions;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// REDIS_URL as the README's "Redis deployments" section documents it: what each form becomes for the
// Redis client (the StackExchange.Redis options the manager connects with).
[Trait(TestLevel.Name, TestLevel.Unit)]
public class RedisUrlTests
{
    private static ConfigurationOptions Parse(string url) => ConfigurationOptions.Parse(RedisUrl.ToConnectionString(url));

    private static IReadOnlyList<string> Endpoints(ConfigurationOptions options) =>
        options.EndPoints.Select(e => e switch
        {
            DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
            IPEndPoint ip => $"{ip.Address}:{ip.Port}",
            _ => e.ToString()!,
        }).ToList();

    [Theory]
    [InlineData("redis://redis:6379", "redis:6379", false, null)]
    [InlineData("rediss://:s3cret%2Fkey@cache.example.net:10000", "cache.example.net:10000", true, "s3cret/key")]
    public void ARedisUrlGivesItsEndpointTlsForRedissAndTheDecodedPassword(string url, string endpoint, bool tls, string? password)
    {
        var options = Parse(url);

        Assert.Equal([endpoint], Endpoints(options));
        Assert.Equal(tls, options.Ssl);
        Assert.Equal(password, options.Password);
    }

    [Fact]
    public void AUrlListingSeveralEndpointsGivesEveryOneWithTheSharedPasswordUserAndTls()
    {
        var options = Parse("rediss://default:p%40ss@node-a:7000,node-b:7001,node-c");

        Assert.Equal(["node-a:7000", "node-b:7001", "node-c:6379"], Endpoints(options));
        Assert.True(options.Ssl);
        Assert.Equal("default", options.User);
        Assert.Equal("p@ss", options.Password);
    }

    [Fact]
    public void AStackExchangeConnectionStringWithSeveralEndpointsSslAndPasswordPassesThroughUnchanged()
    {
        const string connection = "10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379,password=abc==,ssl=true,sslHost=redis.internal";

        Assert.Equal(connection, RedisUrl.ToConnectionString(connection));
        var options = Parse(connection);
        Assert.Equal(["10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"], Endpoints(options));
        Assert.True(options.Ssl);
        Assert.Equal("abc==", options.Password);
        Assert.Equal("redis.internal", options.SslHost);
    }

    [Fact]
    public void APasswordTheConnectionStringCannotCarryTravelsBesideItForEveryEndpoint()
    {
        var configuration = new ConfigurationManager();
        configuration["REDIS_URL"] = "rediss://:with%2Ccomma@node-a:7000,node-b:7001";

        configuration.AddRedisUrlFallback();

        var connection = configuration.GetConnectionString("redis")!;
        Assert.DoesNotContain("comma", connection);
        var options = ConfigurationOptions.Parse(connection);
        RedisUrl.ApplyPassword(configuration, options);
        Assert.Equal(["node-a:7000", "node-b:7001"], Endpoints(options));
        Assert.True(options.Ssl);
        Assert.Equal("with,comma", options.Password);
    }
}
