using RemoteModel.Models.Relay;
using RemoteModel.Models.Server;
using RemoteModel.Naming;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.ModelServer;

/// <summary>The relays of <see cref="ModelServerOptions.Relays"/>: checked at start, then added to the registry.</summary>
internal static class RelaySources
{
    /// <summary>What is wrong with the configured relays (a malformed name or source, a name taken twice), or null.</summary>
    public static string? Problem(ModelServerOptions options)
    {
        var names = options.Models.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var relay in options.Relays)
        {
            RelaySource source;
            try
            {
                source = RelaySource.Parse(relay.Source);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                return $"Relay source '{relay.Source}': {ex.Message}";
            }

            var name = NameOf(relay, source);
            if (NameRules.Problem(name) is { } problem)
            {
                return $"Relay name '{name}': {NameRules.Explain(name, problem)}";
            }

            if (!names.Add(name))
            {
                return $"'{name}' is served twice: give each relay and model its own name (--relay NAME=SOURCE).";
            }
        }

        return null;
    }

    /// <summary>Adds each configured relay; its calls to the source are signed with <paramref name="signer"/>, the server's own key.</summary>
    public static void Add(ModelRegistry registry, ModelServerOptions options, CallSigner? signer)
    {
        foreach (var relay in options.Relays)
        {
            var source = RelaySource.Parse(relay.Source);
            registry.AddRelay(NameOf(relay, source), source, signer, options.NameServer);
        }
    }

    private static string NameOf(RelayOptions relay, RelaySource source) => relay.Name.Length > 0 ? relay.Name : $"{source.Model}-relay";
}
