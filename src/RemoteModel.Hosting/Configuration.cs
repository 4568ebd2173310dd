using Microsoft.Extensions.Configuration;

namespace RemoteModel.Hosting;

/// <summary>
/// Configuration in the .NET way, lowest precedence first: appsettings.json beside the
/// executable, environment variables prefixed
/// <c>REMOTEMODEL_</c> (<c>REMOTEMODEL_NameServer__Store=etcd</c>), then command-line values
/// (<c>--NameServer:Store=etcd</c>) and the executable's own flags.
/// </summary>
public static class Configuration
{
    /// <summary>The prefix of environment variables read as configuration.</summary>
    public const string EnvironmentPrefix = "REMOTEMODEL_";

    /// <summary>Builds the configuration; <paramref name="overrides"/> are the executable's flags, which win.</summary>
    public static IConfigurationRoot Build(string[] commandLine, IDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(commandLine)
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();

    /// <summary>
    /// Checks that the command-line tokens an executable did not recognise are all settings
    /// (<c>--Section:Key=value</c>, or <c>--Section:Key value</c>): a mistyped flag is refused,
    /// not read as a setting nobody asks for.
    /// </summary>
    /// <param name="tokens">The tokens left over after the executable's own flags.</param>
    /// <param name="problem">What is wrong, when it returns false.</param>
    public static bool AreSettings(IReadOnlyList<string> tokens, out string? problem)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (!IsSettingKey(token))
            {
                problem = $"Unrecognized argument '{token}': see --help for the flags; settings are given as --Section:Key=value.";
                return false;
            }

            if (!token.Contains('=', StringComparison.Ordinal))
            {
                i++; // Its value is the next token.
            }
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// Takes the settings (<c>--Section:Key=value</c>, <c>--Section:Key value</c>) out of a command
    /// line whose positional arguments would otherwise swallow them, up to a <c>--</c> (after which
    /// everything is left as it is, for a script's own arguments).
    /// </summary>
    /// <param name="arguments">The command line.</param>
    /// <param name="settings">The settings, in order, for <see cref="Build"/>.</param>
    /// <returns>The command line without them.</returns>
    public static string[] SeparateSettings(IReadOnlyList<string> arguments, out string[] settings)
    {
        var taken = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var token = arguments[i];
            if (token == "--")
            {
                rest.AddRange(arguments.Skip(i));
                break;
            }

            if (!IsSettingKey(token))
            {
                rest.Add(token);
                continue;
            }

            taken.Add(token);
            if (!token.Contains('=', StringComparison.Ordinal) && i + 1 < arguments.Count)
            {
                taken.Add(arguments[++i]);
            }
        }

        settings = [.. taken];
        return [.. rest];
    }

    /// <summary>Adds a repeated flag's values as the configuration list <paramref name="key"/> (<c>key:0</c>, <c>key:1</c>, ...).</summary>
    public static void AddList(IDictionary<string, string?> overrides, string key, IReadOnlyList<string>? values)
    {
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            overrides[$"{key}:{i}"] = values![i];
        }
    }

    /// <summary>True for <c>--Section:Key</c> and <c>--Section:Key=value</c>.</summary>
    private static bool IsSettingKey(string token)
    {
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        var key = equals < 0 ? token : token[..equals];
        return key.StartsWith("--", StringComparison.Ordinal) && key.Length > 2 && key.Contains(':', StringComparison.Ordinal);
    }
}
