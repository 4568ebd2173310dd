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
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? token : token[..equals];
            if (!key.StartsWith("--", StringComparison.Ordinal) || !key.Contains(':', StringComparison.Ordinal))
            {
                problem = $"Unrecognized argument '{token}': see --help for the flags; settings are given as --Section:Key=value.";
                return false;
            }

            if (equals < 0)
            {
                i++; // Its value is the next token.
            }
        }

        problem = null;
        return true;
    }

    /// <summary>Adds a repeated flag's values as the configuration list <paramref name="key"/> (<c>key:0</c>, <c>key:1</c>, ...).</summary>
    public static void AddList(IDictionary<string, string?> overrides, string key, IReadOnlyList<string>? values)
    {
        for (var i = 0; i < (values?.Count ?? 0); i++)
        {
            overrides[$"{key}:{i}"] = values![i];
        }
    }
}
