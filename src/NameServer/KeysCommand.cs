using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using RemoteModel.Hosting;
using RemoteModel.Security;
using RemoteModel.Security.Keys;

namespace RemoteModel.NameServer;

/// <summary>
/// <c>keys generate|list|revoke</c>: manages the keyring servers trust (the <c>Auth:Keyring</c>
/// setting, else the usual place). A new key's secret is printed once, to standard output, and
/// never again; servers pick changes up by themselves.
/// </summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Manage the keyring: generate, list, revoke keys.");
        foreach (var subcommand in new[] { Generate(), List(), Revoke() })
        {
            // --Auth:Keyring=PATH and the other Auth settings come as configuration (WithKeyring).
            subcommand.TreatUnmatchedTokensAsErrors = false;
            command.Subcommands.Add(subcommand);
        }

        return command;
    }

    private static Command Generate()
    {
        var id = new Argument<string>("id") { Description = "The new key's id (a-z, 0-9, '.', '_', '-')." };
        var scopes = new Option<string[]>("--scope") { Description = "What it may do (repeatable): read, control, register, admin.", Required = true };
        var names = new Option<string[]>("--name") { Description = "A name pattern it is limited to (repeatable): stage/*, ticker/**." };
        var notBefore = new Option<DateTimeOffset?>("--not-before") { Description = "Valid from (RFC 3339, UTC)." };
        var notAfter = new Option<DateTimeOffset?>("--not-after") { Description = "Valid until (RFC 3339, UTC)." };
        var makeDefault = new Option<bool>("--default") { Description = "Make it the key local clients sign with." };
        var command = new Command("generate", "Add a key with a new 256-bit secret and print the secret once.") { id, scopes, names, notBefore, notAfter, makeDefault };
        command.SetAction(result => WithKeyring(result, (path, keyring) =>
        {
            var keyId = result.GetValue(id)!;
            if (keyring.Find(keyId) is not null)
            {
                Console.Error.WriteLine($"The keyring {path} has a key '{keyId}' already; revoke it and generate one with another id.");
                return 1;
            }

            var key = KeyringFile.NewKey(
                keyId,
                KeyScopeNames.Parse(result.GetValue(scopes) ?? []),
                [.. (result.GetValue(names) ?? []).Select(NamePattern.Parse)],
                result.GetValue(notBefore),
                result.GetValue(notAfter));
            var updated = keyring.With(key);
            KeyringFile.Write(path, result.GetValue(makeDefault) ? new Keyring(updated.Keys, key.Id) : updated);
            Console.Error.WriteLine($"Added {key} to {path}. Its secret, shown only now (give it to the client as REMOTEMODEL_KEY):");
            Console.WriteLine($"{key.Id}:{KeyringFile.EncodeSecret(key)}");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the keys: ids, scopes, names, validity and state; never secrets.");
        command.SetAction(result => WithKeyring(result, (path, keyring) =>
        {
            var now = DateTimeOffset.UtcNow;
            Console.WriteLine($"{"ID",-20} {"SCOPES",-28} {"NAMES",-20} {"VALID",-44} STATE");
            foreach (var key in keyring.Keys)
            {
                var validity = $"{Time(key.NotBefore) ?? "-"} .. {Time(key.NotAfter) ?? "-"}";
                var names = key.Names.Count == 0 ? "*all*" : string.Join(",", key.Names);
                var state = key.StateAt(now) + (key.Id == keyring.DefaultKeyId ? " (default)" : string.Empty);
                Console.WriteLine($"{key.Id,-20} {string.Join(",", KeyScopeNames.Format(key.Scopes)),-28} {names,-20} {validity,-44} {state}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "The key to revoke." };
        var command = new Command("revoke", "Mark a key revoked: servers refuse it from their next look at the keyring.") { id };
        command.SetAction(result => WithKeyring(result, (path, keyring) =>
        {
            var keyId = result.GetValue(id)!;
            if (keyring.Find(keyId) is not { } key)
            {
                Console.Error.WriteLine($"The keyring {path} has no key '{keyId}'.");
                return 1;
            }

            KeyringFile.Write(path, keyring.With(key.RevokedAt(DateTimeOffset.UtcNow)));
            Console.Error.WriteLine($"Revoked key '{keyId}' in {path}.");
            return 0;
        }));
        return command;
    }

    private static int WithKeyring(ParseResult result, Func<string, Keyring, int> action)
    {
        if (!Configuration.AreSettings(result.UnmatchedTokens, out var problem))
        {
            Console.Error.WriteLine(problem);
            return 2;
        }

        var options = Configuration.Build([.. result.UnmatchedTokens]).GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        var path = KeyringFile.Locate(options.Keyring);
        try
        {
            var keyring = File.Exists(path) ? KeyringFile.Read(path) : Keyring.Empty;
            return action(path, keyring);
        }
        catch (Exception ex) when (ex is KeyringException or FormatException or ArgumentException or IOException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    private static string? Time(DateTimeOffset? time) => time is { } at ? AccessKey.FormatTime(at) : null;
}
