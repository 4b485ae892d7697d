using YamlDotNet.RepresentationModel;

namespace Orchestrator.Tests.Deployment;

// A docker compose file read with a real YAML parser, with the few accessors the tests need.
public sealed class ComposeFile
{
    private readonly YamlMappingNode _root;

    private ComposeFile(string path, YamlMappingNode root)
    {
        Path = path;
        _root = root;
    }

    public string Path { get; }

    public string Text => File.ReadAllText(Path);

    public static ComposeFile Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        var root = stream.Documents.Single().RootNode as YamlMappingNode
            ?? throw new InvalidDataException($"{path}: the top level is not a mapping");
        return new ComposeFile(path, root);
    }

    public IReadOnlyList<string> TopLevelKeys => _root.Children.Keys.Select(k => k.ToString()).ToList();

    public IReadOnlyList<string> ServiceNames => Section("services").Children.Keys.Select(k => k.ToString()).ToList();

    public YamlMappingNode Section(string name) => (YamlMappingNode)_root.Children[new YamlScalarNode(name)];

    public YamlMappingNode Service(string name) => (YamlMappingNode)Section("services").Children[new YamlScalarNode(name)];

    // environment: either a mapping (KEY: value) or a list ("KEY=value"); both are legal compose.
    public IReadOnlyDictionary<string, string> Environment(string service)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Service(service).Children.TryGetValue(new YamlScalarNode("environment"), out var node)) return result;
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children) result.Add(key.ToString(), ((YamlScalarNode)value).Value ?? "");
                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children.Select(i => i.ToString()))
                {
                    var equals = item.IndexOf('=');
                    result.Add(equals < 0 ? item : item[..equals], equals < 0 ? "" : item[(equals + 1)..]);
                }
                break;
        }
        return result;
    }

    public IReadOnlyList<string> List(string service, string key) =>
        Service(service).Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode list
            ? list.Children.Select(c => c.ToString()).ToList()
            : [];

    public string? Scalar(string service, params string[] path)
    {
        YamlNode node = Service(service);
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var child)) return null;
            node = child;
        }
        return (node as YamlScalarNode)?.Value;
    }
}
