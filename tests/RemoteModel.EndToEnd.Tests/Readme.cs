using System.Text;
using System.Text.RegularExpressions;
using RemoteModel.Testing;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// The README's commands, read from README.md itself so the tests run exactly what a reader
/// copies: the <c>sh</c> blocks of a section, one command a line (comments dropped), and the
/// <c>csharp</c> submissions typed into the controller.
/// </summary>
internal static partial class Readme
{
    private static readonly Lazy<string> Text = new(() => File.ReadAllText(RepositoryPaths.Combine("README.md")));

    /// <summary>Where each project the README runs with <c>dotnet run --project</c> is built.</summary>
    private static readonly Dictionary<string, Func<string>> Projects = new()
    {
        ["src/NameServer"] = () => Executables.NameServer,
        ["src/ModelServer"] = () => Executables.ModelServer,
        ["src/Viewer"] = () => Executables.Viewer,
        ["src/Controller"] = () => Executables.Controller,
        ["src/Web"] = () => Executables.Web,
        ["examples/TickerDemo"] = () => Executables.TickerDemo,
    };

    /// <summary>Every command of the <c>sh</c> blocks under the heading <paramref name="heading"/>.</summary>
    public static IReadOnlyList<string> Commands(string heading) =>
        [.. Blocks(heading, "sh").SelectMany(block => block.Split('\n'))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))];

    /// <summary>The lines of the <c>csharp</c> blocks under <paramref name="heading"/>.</summary>
    public static IReadOnlyList<string> CSharpLines(string heading) =>
        [.. Blocks(heading, "csharp").SelectMany(block => block.Split('\n')).Where(line => line.Trim().Length > 0)];

    /// <summary>
    /// A README command as the process the tests start: <c>dotnet run --project P -- ARGS</c> is
    /// the executable <c>dotnet run</c> builds, with ARGS; <c>echo 'X' | COMMAND</c> gives X as input.
    /// </summary>
    public static ReadmeProcess Parse(string command)
    {
        string? input = null;
        var pipe = EchoPipe().Match(command);
        if (pipe.Success)
        {
            input = pipe.Groups["input"].Value;
            command = pipe.Groups["command"].Value;
        }

        var words = Words(StripComment(command));
        if (words.Count < 4 || words[0] != "dotnet" || words[1] != "run" || words[2] != "--project")
        {
            throw new FormatException($"'{command}' is not a 'dotnet run --project' command.");
        }

        var dll = Projects.TryGetValue(words[3], out var find)
            ? find()
            : throw new KeyNotFoundException($"The README runs {words[3]}, which the end-to-end tests do not know.");
        var arguments = words.Skip(4).SkipWhile(w => w == "--").ToArray();
        return new ReadmeProcess(command, dll, arguments, input);
    }

    private static IEnumerable<string> Blocks(string heading, string language)
    {
        var text = Text.Value.Replace("\r\n", "\n");
        var start = text.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{heading}'.");
        var end = text.IndexOf("\n## ", start + heading.Length + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        foreach (Match block in FencedBlock().Matches(section))
        {
            if (block.Groups["language"].Value == language)
            {
                yield return block.Groups["body"].Value.Replace("\\\n", " ");
            }
        }
    }

    private static string StripComment(string command)
    {
        var hash = command.IndexOf(" #", StringComparison.Ordinal);
        return hash < 0 ? command : command[..hash];
    }

    /// <summary>Splits as a POSIX shell does for the simple commands the README holds: spaces, and quotes.</summary>
    private static List<string> Words(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var c in command)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    [GeneratedRegex(@"```(?<language>[a-z]*)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"^echo '(?<input>[^']*)' \| (?<command>.*)$")]
    private static partial Regex EchoPipe();
}

/// <summary>A README command as a process: the built executable, its arguments, and its standard input.</summary>
internal sealed record ReadmeProcess(string Command, string Dll, string[] Arguments, string? Input)
{
    public ChildProcess Start(IDictionary<string, string> environment)
    {
        var process = Executables.Start(Dll, Arguments, environment);
        if (Input is not null)
        {
            process.StandardInput.WriteLine(Input);
            process.StandardInput.Close();
        }

        return process;
    }
}
