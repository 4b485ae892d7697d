namespace Orchestrator.Manager.Extensions;

// The seed's compose file gives Redis as REDIS_URL=redis://host:port. Aspire gives
// ConnectionStrings:redis in StackExchange form. This turns the first into the second.
public static class RedisUrl
{
    public static IConfigurationBuilder AddRedisUrlFallback(this IConfigurationManager configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("redis"))) return configuration;
        var url = configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(url)) return configuration;
        configuration["ConnectionStrings:redis"] = ToConnectionString(url);
        return configuration;
    }

    public static string ToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
        {
            // Already a StackExchange connection string such as "host:6379,password=x".
            return url;
        }

        var parts = new List<string> { $"{uri.Host}:{(uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port)}" };
        var userInfo = Uri.UnescapeDataString(uri.UserInfo);
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':');
            var user = colon < 0 ? "" : userInfo[..colon];
            var password = colon < 0 ? userInfo : userInfo[(colon + 1)..];
            if (user.Length > 0) parts.Add($"user={user}");
            if (password.Length > 0) parts.Add($"password={password}");
        }
        if (uri.Scheme == "rediss") parts.Add("ssl=true");
        var database = uri.AbsolutePath.Trim('/');
        if (int.TryParse(database, out var db)) parts.Add($"defaultDatabase={db}");
        return string.Join(',', parts);
    }
}
