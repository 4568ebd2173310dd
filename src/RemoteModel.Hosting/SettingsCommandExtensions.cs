using System.CommandLine;

namespace RemoteModel.Hosting;

/// <summary>
/// The command line every RemoteModel server shares: its named flags, and every other token a
/// <c>--Section:Key=value</c> setting (<see cref="Configuration.Build"/>).
/// </summary>
public static class SettingsCommandExtensions
{
    /// <summary>
    /// Runs <paramref name="action"/> with the parse result and the settings the command line gave
    /// (the tokens no flag took); a token that is neither is refused on stderr with exit code 2.
    /// </summary>
    public static void SetSettingsAction(this Command command, Func<ParseResult, string[], CancellationToken, Task<int>> action)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) =>
        {
            if (!Configuration.AreSettings(result.UnmatchedTokens, out var problem))
            {
                Console.Error.WriteLine(problem);
                return Task.FromResult(2);
            }

            return action(result, [.. result.UnmatchedTokens], cancellationToken);
        });
    }
}
