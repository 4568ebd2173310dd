using System.Globalization;
using System.Text;

namespace RemoteModel.Controller;

/// <summary>
/// The read-evaluate-print loop: from a terminal with a prompt, or from piped standard input
/// without one. A submission is evaluated as soon as it is complete C# (one line, or several for
/// a block); lines starting with <c>#help</c>, <c>#exit</c>, <c>#reset</c>, <c>#verbose</c> and
/// <c>#history</c> are the loop's own commands. Ends at end of input, <c>#exit</c>, SIGTERM or
/// Ctrl+C twice at the prompt.
/// </summary>
/// <param name="engine">Runs the submissions.</param>
/// <param name="history">Where submissions are kept; null: nowhere.</param>
/// <param name="interrupts">Ctrl+C and SIGTERM.</param>
/// <param name="output">Where results, prompts and messages go.</param>
/// <param name="interactive">Whether a person types: prompts are shown, and failures do not change the exit code.</param>
/// <param name="terminal">Standard output on a terminal, for the line editor; null: lines are read plainly.</param>
internal sealed class Repl(ScriptEngine engine, ReplHistory? history, Interrupts interrupts, TextWriter output, bool interactive, LineTrackingWriter? terminal)
{
    private const string Prompt = "> ";
    private const string ContinuationPrompt = ". ";

    private const string Help = """
        Write C# and press Enter; a trailing expression's value is printed. Ready to use:
          var t = Connect("ticker");          a model by name (or Connect("http://host:port", "ticker"))
          t  /  t.Query()  /  t.Query("Price") its values, at a version
          t.Price  /  t.Rate = 5.0             one property: read (query) or write (modify)
          t.Modify(new { Rate = 5.0, Symbol = "X" })   several properties at once, atomically
          t.Invoke("Reset")  /  t.Reset()      an operation, with arguments if it takes any
          t.Describe()  t.Viewers()  t.History()       schema, viewers, recent changes
          t.Models()                           the models on t's server, with who holds each lock
          Names.List()  Names.List("lab1/")  Names.Lookup("ticker")   the name server
          await t.QueryAsync()                 every call has an async twin
          #r "path.dll"  #load "file.csx"      use an assembly, run a script
        Commands: #help, #reset (forget everything), #verbose (stack traces on/off), #history, #exit (or Ctrl+D).
        Ctrl+C cancels what is running; twice at the prompt, it leaves.
        """;

    private readonly StringBuilder _submission = new();
    private volatile bool _dropSubmission;

    /// <summary>Runs until the input ends or the session is left; 1 when piped input had a failed submission, else 0.</summary>
    public async Task<int> RunAsync()
    {
        interrupts.AtPrompt += OnInterruptAtPrompt;
        var input = new LineInput(Reader(), interrupts.Stopping);
        var failed = false;
        try
        {
            while (!interrupts.Stopping.IsCancellationRequested)
            {
                var line = await input.ReadLineAsync(_submission.Length == 0 ? Prompt : ContinuationPrompt);
                if (_dropSubmission)
                {
                    _dropSubmission = false;
                    _submission.Clear();
                }

                if (line is null)
                {
                    if (_submission.Length > 0 && !interrupts.Stopping.IsCancellationRequested)
                    {
                        // The input ended inside a submission: evaluate it, so its error is said.
                        failed |= !await EvaluateAsync(_submission.ToString());
                    }

                    break;
                }

                interrupts.LineRead();
                if (_submission.Length == 0 && string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (_submission.Length == 0 && line.TrimStart().StartsWith('#') && Command(line.Trim()) is { } leave)
                {
                    if (leave)
                    {
                        break;
                    }

                    continue;
                }

                _submission.Append(line).Append('\n');
                var code = _submission.ToString();
                if (!ScriptEngine.IsComplete(code))
                {
                    continue;
                }

                _submission.Clear();
                history?.Add(code.TrimEnd());
                failed |= !await EvaluateAsync(code);
            }
        }
        finally
        {
            interrupts.AtPrompt -= OnInterruptAtPrompt;
        }

        if (interactive)
        {
            output.WriteLine();
        }

        return failed && !interactive ? 1 : 0;
    }

    private async Task<bool> EvaluateAsync(string code)
    {
        using var evaluation = interrupts.BeginEvaluation();
        return await engine.SubmitAsync(code, evaluation.Token);
    }

    /// <summary>Handles a command line: true to leave, false to go on, null when it is not a command (a directive for the compiler, such as #r).</summary>
    private bool? Command(string line)
    {
        switch (line)
        {
            case "#help":
                output.WriteLine(Help);
                return false;
            case "#exit":
                return true;
            case "#reset":
                engine.Reset();
                output.WriteLine("Everything declared so far is forgotten.");
                return false;
            case "#verbose":
                engine.Verbose = !engine.Verbose;
                output.WriteLine(engine.Verbose ? "Errors now come with stack traces." : "Errors now come in one line.");
                return false;
            case "#history":
                var entries = history?.Entries ?? [];
                for (var i = Math.Max(0, entries.Count - 20); i < entries.Count; i++)
                {
                    output.WriteLine($"{(i + 1).ToString(CultureInfo.InvariantCulture),5}  {entries[i].Replace("\n", "\n       ", StringComparison.Ordinal)}");
                }

                return false;
            default:
                return null;
        }
    }

    /// <summary>How a line is read after a prompt: with the line editor on a terminal, plainly from piped input.</summary>
    private Func<string, string?> Reader()
    {
        if (terminal is not null)
        {
            return new LineEditor(history?.Entries ?? [], interrupts.InterruptAtPrompt, Prompt, terminal).ReadLine;
        }

        return prompt =>
        {
            if (interactive)
            {
                output.Write(prompt);
            }

            return Console.In.ReadLine();
        };
    }

    private void OnInterruptAtPrompt()
    {
        _dropSubmission = true;
        if (interactive)
        {
            output.WriteLine("(Ctrl+C again or #exit to leave)");
        }
    }

    /// <summary>Lines read on a worker, so that waiting for one can be abandoned when the session ends.</summary>
    private sealed class LineInput(Func<string, string?> read, CancellationToken stopping)
    {
        private readonly Task _stopped = Task.Delay(Timeout.Infinite, stopping);
        private Task<string?>? _pending;

        /// <summary>The next line; null at the end of the input or when the session is stopping.</summary>
        public async Task<string?> ReadLineAsync(string prompt)
        {
            _pending ??= Task.Run(() => read(prompt), CancellationToken.None);
            if (await Task.WhenAny(_pending, _stopped) != _pending)
            {
                return null;
            }

            var line = await _pending;
            _pending = null;
            return line;
        }
    }
}
