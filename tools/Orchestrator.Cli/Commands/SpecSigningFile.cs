using System.Text.Json;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Cli.Commands;

// The CLI's side of signed specs: the private key stays with its author (never sent to the manager).
public static class SpecSigningFile
{
    public static SpecSignature Sign(string keyFile, string? keyId, string agentType, JsonElement agentConfig, string tenant)
    {
        var pem = Read(keyFile, "--sign-key");
        try
        {
            return SpecSigning.Sign(pem, keyId ?? Path.GetFileNameWithoutExtension(keyFile), agentType, agentConfig, tenant);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--sign-key: {keyFile} is not an Ed25519 private key in PEM (PKCS#8)");
        }
    }

    public static string PublicKey(string keyFile, string option)
    {
        var pem = Read(keyFile, option);
        try
        {
            return SpecSigning.PublicKeyOf(pem);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"{option}: {keyFile} is not an Ed25519 private key in PEM (PKCS#8)");
        }
    }

    private static string Read(string keyFile, string option)
    {
        try
        {
            return File.ReadAllText(keyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option}: cannot read {keyFile} ({ex.Message})");
        }
    }
}

// keys public FILE: the base64 public key of a signing key, for the nodes' TRUSTED_SIGNING_KEYS file.
public static class KeysCommands
{
    public static System.CommandLine.Command Create(CliContext context)
    {
        var keys = new System.CommandLine.Command("keys", "Spec signing keys");
        var file = new System.CommandLine.Argument<string>("FILE") { Description = "Ed25519 private key (PEM)" };
        var show = new System.CommandLine.Command("public", "Print the base64 public key for the nodes' TRUSTED_SIGNING_KEYS file") { file };
        show.SetAction(parse =>
        {
            context.Out.WriteLine(SpecSigningFile.PublicKey(parse.GetValue(file)!, "FILE"));
            return ExitCodes.Success;
        });
        keys.Subcommands.Add(show);
        return keys;
    }
}
