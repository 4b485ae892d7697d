using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Abuse;

// One generated request: every choice is a number or string drawn by CsCheck, so a seed repeats a run exactly.
public sealed record FuzzCase(int Route, int Id, int Token, int ContentType, int Body, int Mutation, int Query, string Text, int Number, int Size)
{
    // Method, path template, and a valid body to mutate (null: the route takes none).
    public static readonly (string Method, string Path, string? Body)[] Routes =
    [
        ("POST", ManagerRoutes.Token, """{"username":"admin","password":"not-the-password","container_name":"fuzz-cluster"}"""),
        ("POST", ManagerRoutes.Register, """{"container_name":"fuzz-NAME","host_address":"127.0.0.1","api_port":8001,"capabilities":["agent_runner"],"resources":{"cpu_count":2},"metadata":{"orchestrator_id":"9"},"max_agents":3}"""),
        ("POST", ManagerRoutes.Heartbeat, """{"container_id":"ID","health_score":90,"active_agents":0,"resources":{"cpu_percent":1.5},"agents":[]}"""),
        ("GET", ManagerRoutes.Assignments, null),
        ("POST", ManagerRoutes.AgentReport, """{"container_id":"ID","generation":1,"agents":[{"agent_id":"agt-0123456789abcdef","state":"running","epoch":1,"restarts":0}]}"""),
        ("GET", ManagerRoutes.Containers, null),
        ("GET", ManagerRoutes.Container, null),
        ("DELETE", ManagerRoutes.Container, null),
        ("POST", ManagerRoutes.Deploy, """{"agent_type":"fuzz_type","replicas":1,"agent_config":{"orchestrator_id":"9"},"deployment_strategy":"spread","constraints":{"capabilities":["fuzz_type"],"labels":{"zone":"eu"}},"on_cluster_loss":"keep"}"""),
        ("GET", ManagerRoutes.Agents, null),
        ("GET", ManagerRoutes.Agent, null),
        ("DELETE", ManagerRoutes.Agent, null),
        ("GET", ManagerRoutes.Status, null),
        ("GET", ManagerRoutes.Distribution, null),
        ("GET", ManagerRoutes.CommunicationStats, null),
        ("GET", ManagerRoutes.Health, null),
        ("PUT", ManagerRoutes.Register, """{}"""),
        ("PATCH", ManagerRoutes.Agent, """{}"""),
        ("GET", "/api/v1/cluster/nothing-here/{id}", null),
    ];

    public static readonly Gen<FuzzCase> Gen = CsCheck.Gen.Select(
        CsCheck.Gen.Int[0, Routes.Length - 1], CsCheck.Gen.Int[0, 9], CsCheck.Gen.Int[0, 9], CsCheck.Gen.Int[0, 7],
        CsCheck.Gen.Int[0, 9], CsCheck.Gen.Int[0, 11], CsCheck.Gen.Int[0, 9],
        CsCheck.Gen.Frequency((3, CsCheck.Gen.String[CsCheck.Gen.Char.AlphaNumeric, 0, 40]), (1, CsCheck.Gen.String), (1, CsCheck.Gen.String[CsCheck.Gen.Char, 0, 300])),
        CsCheck.Gen.Int, CsCheck.Gen.Int[0, 100_000],
        (route, id, token, contentType, body, mutation, query, text, number, size) => new FuzzCase(route, id, token, contentType, body, mutation, query, text, number, size));

    public bool IsLongPoll => Routes[Route].Path == ManagerRoutes.Assignments;

    public HttpRequestMessage ToRequest(FuzzTargets targets)
    {
        var (method, template, body) = Routes[Route];
        var id = IdValue(targets);
        var path = template.Contains("{id}") ? template.Replace("{id}", Uri.EscapeDataString(id)) : template;
        var request = new HttpRequestMessage(new HttpMethod(method), path + QueryString());
        request.Headers.TryAddWithoutValidation(ManagerFactory.ClientIpHeader, $"10.{(Number >> 16) & 255}.{(Number >> 8) & 255}.{Number & 255}");
        if (AuthorizationValue(targets) is { } authorization) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (Mutation == 11) request.Headers.TryAddWithoutValidation(ManagerRoutes.IdempotencyKeyHeader, Size % 3 == 0 ? Text : Text + Size);
        if (BodyBytes(body?.Replace("ID", System.Text.Json.JsonEncodedText.Encode(id).Value).Replace("NAME", Text.Length > 0 ? Math.Abs(Number % 1000).ToString() : "x")) is { } bytes)
        {
            request.Content = new ByteArrayContent(bytes);
            if (ContentTypeValue() is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        return request;
    }

    private string IdValue(FuzzTargets targets) => Id switch
    {
        0 => targets.ContainerId,
        1 => targets.AgentId,
        2 => "ctr-" + Convert.ToHexStringLower(BitConverter.GetBytes((long)Number * 7919)),
        3 => "agt-" + Convert.ToHexStringLower(BitConverter.GetBytes((long)Number * 104729)),
        4 => Text.Length == 0 ? "x" : Text,
        5 => targets.ContainerId + ":desired",
        6 => new string('a', 1 + Size % 4000),
        7 => " ",
        8 => "ctr-ÄÖÜ" + Text,
        _ => "../" + targets.ContainerId,
    };

    private string? AuthorizationValue(FuzzTargets targets) => Token switch
    {
        0 or 1 or 2 or 3 => "Bearer " + targets.AdminToken,
        4 => "Bearer " + targets.ClusterToken,
        5 => "Bearer " + targets.OtherClusterToken,
        6 => null,
        7 => "Bearer " + Text,
        8 => "Bearer " + targets.ForeignToken,
        _ => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Text)),
    };

    private string? ContentTypeValue() => ContentType switch
    {
        0 or 1 => "application/json",
        2 => "application/json; charset=utf-8",
        3 => "text/plain",
        4 => null,
        5 => "application/x-www-form-urlencoded",
        6 => "application/json; charset=utf-16",
        _ => Text,
    };

    private string QueryString()
    {
        var values = new[] { "0", "-1", "1", "abc", "99999999999", "", "1e3", "60", "61", Uri.EscapeDataString(Text) };
        var pick = values[Query];
        return Routes[Route].Path switch
        {
            // wait is always given and never lets a valid poll hang on the test's frozen clock (since=-1 answers at once).
            ManagerRoutes.Assignments => Query % 2 == 0 ? $"?since=-1&wait={pick}" : $"?since={pick}&wait={values[Size % 3]}",
            ManagerRoutes.Containers => $"?status={(Query < 3 ? "healthy" : pick)}&limit={values[Size % values.Length]}&cursor={pick}",
            ManagerRoutes.Agents => $"?container_id={pick}&agent_type={Uri.EscapeDataString(Text)}&state={pick}",
            _ => Query == 9 ? "?" + Uri.EscapeDataString(Text) + "=" + pick : "",
        };
    }

    private byte[]? BodyBytes(string? template)
    {
        if (template is null && Body < 8) return null;
        template ??= "{}";
        return Body switch
        {
            0 or 1 => Encoding.UTF8.GetBytes(template),
            2 or 3 => Encoding.UTF8.GetBytes(Mutate(template)),
            4 => Encoding.UTF8.GetBytes(template[..(Size % template.Length)]),
            5 => Encoding.UTF8.GetBytes(new string('[', 1 + Size % 2000) + new string(']', 1 + Size % 2000)),
            6 => Encoding.UTF8.GetBytes(template.Insert(1, $"\"padding\":\"{new string('p', 40_000 + Size)}\",")),
            7 => Encoding.UTF8.GetBytes(Text),
            8 => [],
            _ => [.. Encoding.UTF8.GetBytes(Text), 0xC3, 0x28, 0xFF, (byte)Number],
        };
    }

    // Replaces or removes one top-level field of a valid body with something of another type or size.
    private string Mutate(string template)
    {
        var node = JsonNode.Parse(template)!.AsObject();
        var keys = node.Select(p => p.Key).DefaultIfEmpty("unknown_field").ToList();
        var key = keys[(Number & int.MaxValue) % keys.Count];
        JsonNode? value = Mutation switch
        {
            0 => null,
            1 => JsonValue.Create(Number),
            2 => JsonValue.Create(Text),
            3 => JsonValue.Create(new string('z', Size)),
            4 => JsonValue.Create(Number % 2 == 0),
            5 => new JsonArray(JsonValue.Create(Text), JsonValue.Create(Number)),
            6 => new JsonObject { [Text.Length == 0 ? "k" : Text] = Number },
            7 => JsonValue.Create(-Math.Abs((long)Number) - 1),
            8 => JsonValue.Create(1e308),
            9 => JsonValue.Create("ctr-0123456789abcdef:desired"),
            _ => new JsonArray([.. Enumerable.Range(0, Size % 500).Select(i => (JsonNode?)JsonValue.Create("v" + i))]),
        };
        if (Mutation == 10 && Size % 2 == 0) node.Remove(key);
        else node[key] = value;
        return node.ToJsonString();
    }

    public override string ToString()
    {
        var (method, path, _) = Routes[Route];
        return $"{method} {path} id#{Id} token#{Token} content-type#{ContentType} body#{Body} mutation#{Mutation} query#{Query} " +
               $"text[{Text.Length}]={(Text.Length > 40 ? Text[..40] + "…" : Text)} number={Number} size={Size}";
    }
}

// What the generated requests aim at: real ids and tokens of the manager under test.
public sealed record FuzzTargets(string ContainerId, string AgentId, string AdminToken, string ClusterToken, string OtherClusterToken, string ForeignToken);
