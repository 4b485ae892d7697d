using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using Orchestrator.Manager.Auth;

namespace Orchestrator.Manager.Limits;

// Who a limit counts against. A client is its IPv4 address, or its IPv6 /64: one subscriber usually
// holds a whole /64, so counting single IPv6 addresses would give an attacker unlimited tries. The
// address is the one UseForwardedHeaders settled on (a trusted proxy's X-Forwarded-For, else the socket).
public static class ClientPartition
{
    public static string Of(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    // An authenticated caller is its token's subject (admin, or cluster:<container_name>); anyone else, its client.
    public static string Caller(HttpContext context) =>
        context.User.FindFirstValue(ManagerClaims.Subject) is { Length: > 0 } subject
            ? "sub:" + subject
            : "ip:" + Of(context.Connection.RemoteIpAddress);
}
