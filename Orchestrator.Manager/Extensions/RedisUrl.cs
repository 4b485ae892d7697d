namespace Orchestrator.Manager.Extensions;

// The seed's compose file gives Redis as REDIS_URL=redis://host:port. Aspire gives
// ConnectionStrings:redis in StackExchange form. This turns the first into the second.
// The password is URL-decoded, and never spliced raw into the connection string: StackExchange's
// format cannot carry a ',' at all, so such a password travels beside it (Redis:Password) and is set
// on the client's options directly (see ApplyPassword).
public static class RedisUrl
{
    public const string PasswordKey = "Redis:Password";

    public static IConfigurationBuilder AddRedisUrlFallback(this IConfigurationManager configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("redis"))) return configuration;
        var url = configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(url)) return configuration;
        configuration["ConnectionStrings:redis"] = ToConnectionString(url);
        if (PasswordOf(SplitEndpoints(url).First) is { } password && !CanInline(password)) configuration[PasswordKey] = password;
        return configuration;
    }

    // For AddRedisClient's configureOptions: the password the connection string could not carry.
    public static void ApplyPassword(IConfiguration configuration, StackExchange.Redis.ConfigurationOptions options)
    {
        if (configuration[PasswordKey] is { Length: > 0 } password) options.Password = password;
    }

    private static bool CanInline(string value) => !value.Contains(',') && value.Trim() == value;

    private static string? PasswordOf(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0) return null;
        var userInfo = uri.UserInfo;
        var colon = userInfo.IndexOf(':');
        var password = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[(colon + 1)..]);
        return password.Length > 0 ? password : null;
    }

    // Accepts redis://[user:password@]host[:port][/db], rediss:// (TLS), several endpoints in one URL
    // (rediss://:password@host1:6379,host2:6379: a Redis Cluster's seed nodes; the client finds the rest), or a
    // StackExchange connection string as it is ("host1:6379,host2:6379,password=x,ssl=true").
    public static string ToConnectionString(string url)
    {
        var (first, others) = SplitEndpoints(url);
        if (!Uri.TryCreate(first, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
        {
            // Already a StackExchange connection string such as "host:6379,password=x".
            return url;
        }

        var parts = new List<string> { $"{uri.Host}:{(uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port)}" };
        parts.AddRange(others.Select(host => host.Contains(':', StringComparison.Ordinal) ? host : host + ":6379"));
        // Split before decoding, so an escaped ':' (%3A) inside the password stays in the password.
        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? "" : userInfo[..colon]);
            var password = PasswordOf(first) ?? "";
            if (user.Length > 0 && CanInline(user)) parts.Add($"user={user}");
            if (password.Length > 0 && CanInline(password)) parts.Add($"password={password}");
        }
        if (uri.Scheme == "rediss") parts.Add("ssl=true");
        var database = uri.AbsolutePath.Trim('/');
        if (int.TryParse(database, out var db)) parts.Add($"defaultDatabase={db}");
        return string.Join(',', parts);
    }

    // A redis:// URL whose host part lists several endpoints, split into the URL with the first one and the others.
    private static (string First, IReadOnlyList<string> Others) SplitEndpoints(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !(url.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)))
            return (url, []);
        var start = scheme + 3;
        var end = url.IndexOf('/', start) is var slash and >= 0 ? slash : url.Length;
        var hostsFrom = url.LastIndexOf('@', end - 1, end - start) is var at and >= 0 ? at + 1 : start;
        var hosts = url[hostsFrom..end].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (hosts.Length < 2) return (url, []);
        return (url[..hostsFrom] + hosts[0] + url[end..], hosts[1..]);
    }
}
