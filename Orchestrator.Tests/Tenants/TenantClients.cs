using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Tenants;

// Scoped operators for tests: each test invents its own operator names and tenants (orchestrator_ids),
// so tests sharing one manager and Redis never see each other's objects.
public static class TenantClients
{
    public static string UniqueTenant(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..14];

    public static string UniqueOperator(string prefix = "ops") => $"{prefix}-{Guid.NewGuid():N}"[..16];

    public static async Task<OperatorCreated> CreateOperatorAsync(this HttpClient admin, string role, params string[] tenants)
    {
        var response = await admin.PostAsJsonAsync(ManagerRoutes.Operators, new { name = UniqueOperator(role), tenants, role });
        return await response.ReadAsync(ProtocolJsonContext.Default.OperatorCreated);
    }

    public static async Task<TokenResponse> LoginAsync(this ManagerFactory manager, string username, string password)
    {
        using var client = manager.CreateClient(IPAddress.Loopback.ToString());
        var response = await client.PostAsJsonAsync(ManagerRoutes.Token, new { username, password });
        return await response.ReadAsync(ProtocolJsonContext.Default.TokenResponse);
    }

    // A raw client carrying a fresh token of this operator.
    public static async Task<HttpClient> CreateOperatorClientAsync(this ManagerFactory manager, OperatorCreated created)
    {
        var token = await manager.LoginAsync(created.Name, created.ApiKey);
        var client = manager.CreateClient(IPAddress.Loopback.ToString());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }

    public static async Task<HttpClient> CreateScopedClientAsync(this ManagerFactory manager, HttpClient admin, string role, params string[] tenants) =>
        await manager.CreateOperatorClientAsync(await admin.CreateOperatorAsync(role, tenants));
}
