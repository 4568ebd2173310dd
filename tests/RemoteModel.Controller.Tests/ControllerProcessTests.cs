using Grpc.Core;
using RemoteModel.Models.Client;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Controller.Tests;

/// <summary>
/// The controller and the viewer as real processes, with a real name server and a model server
/// serving the ticker: the REPL driven through standard input, a script with #load, -e, the
/// history file, and the viewer's table and line modes.
/// </summary>
public sealed class ControllerProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = ProcessTestBed.StartTimeout;

    private ProcessTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ProcessTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Submissions_from_standard_input_run_in_order_and_a_bad_one_prints_one_line_and_the_session_goes_on()
    {
        await StartTickerAsync();
        var history = Path.Combine(_bed.Directory, "history");
        var controller = StartController(["--history", history]);

        await controller.StandardInput.WriteAsync($$"""
            var t = Connect("ticker");
            t.Invoke("Pause")
            t.Rate = 5.0;
            t.Query("Rate")
            nonsense + 1
            t.Modify(new { Rate = 500 })
            t.Modify(new { Symbol = "ACME", Rate = 2.5 })
            if (t.Paused)
            {
                Console.WriteLine("still paused");
            }
            t.Reset()
            t.Query("Price", "Ticks", "Symbol")
            t.History().Count >= 4
            #r "{{Path.GetRelativePath(RepositoryPaths.Root, Executables.TickerAssembly)}}"
            RemoteModel.Examples.Ticker.TickerModel.OpeningPrice
            """ + "\n");
        controller.StandardInput.Close();

        Assert.Equal(1, await controller.WaitForExitAsync(StartTimeout));
        var output = controller.Lines.ToList();
        Assert.Matches(@"^Pause: done @v\d+$", output[0]);
        Assert.Matches(@"^\{ Rate = 5 \} @v\d+$", output[1]);
        Assert.Matches(@"^\{ Rate = 2.5, Symbol = ""ACME"" \} @v\d+$", output[2]);
        Assert.Equal("still paused", output[3]);
        Assert.Matches(@"^Reset: done @v\d+$", output[4]);
        Assert.Matches(@"^\{ Price = 100, Symbol = ""ACME"", Ticks = 0 \} @v\d+$", output[5]);
        Assert.Equal("true", output[6]);
        Assert.Equal("100", output[7]);
        Assert.Equal(8, output.Count);
        Assert.Equal(
        [
            "(1,1): error CS0103: The name 'nonsense' does not exist in the current context",
            "error: ticker refused Modify { Rate = 500 }: property 'Rate': 500 is outside 0.1..100 Hz (OUT_OF_RANGE)",
        ], ErrorLines(controller));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(history));
        var kept = await File.ReadAllLinesAsync(history);
        Assert.Equal("var t = Connect(\"ticker\");", kept[0]);
        Assert.Contains("if (t.Paused)\\n{\\n    Console.WriteLine(\"still paused\");\\n}", kept);
        Assert.Equal("t.History().Count >= 4", kept[^3]);
        Assert.Equal("RemoteModel.Examples.Ticker.TickerModel.OpeningPrice", kept[^1]);
    }

    [Fact]
    public async Task The_history_goes_to_the_state_directory_for_the_owner_only_and_carries_over_to_the_next_session()
    {
        var state = Path.Combine(_bed.Directory, "state");
        var environment = new Dictionary<string, string> { ["XDG_STATE_HOME"] = state };
        var first = StartController([], environment);
        await first.StandardInput.WriteAsync("var answer = 42;\n");
        first.StandardInput.Close();
        Assert.Equal(0, await first.WaitForExitAsync(StartTimeout));

        var second = StartController([], environment);
        await second.StandardInput.WriteAsync("#history\n");
        second.StandardInput.Close();
        Assert.Equal(0, await second.WaitForExitAsync(StartTimeout));

        var file = Path.Combine(state, "remotemodel", "controller_history");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Equal("    1  var answer = 42;", Assert.Single(second.Lines));
    }

    [Fact]
    public async Task A_script_loads_another_and_gets_its_arguments_and_a_failing_script_exits_1_with_one_line()
    {
        await StartTickerAsync();
        var scripts = Directory.CreateDirectory(Path.Combine(_bed.Directory, "scripts")).FullName;
        Directory.CreateDirectory(Path.Combine(scripts, "lib"));
        await File.WriteAllTextAsync(Path.Combine(scripts, "lib", "quotes.csx"), """
            string Quote(dynamic model) => $"{model.Symbol} at {model.Price}";
            """);
        await File.WriteAllTextAsync(Path.Combine(scripts, "set.csx"), """
            #load "lib/quotes.csx"
            var t = Connect(Args[0]);
            t.Pause();
            t.Modify(new { Symbol = Args[1] });
            t.Reset();
            Console.WriteLine(Quote(t));
            """);
        await File.WriteAllTextAsync(Path.Combine(scripts, "bad.csx"), """
            var t = Connect("ticker");
            t.Rate = 1000.0;
            Console.WriteLine("not reached");
            """);

        var good = StartController([Path.Combine(scripts, "set.csx"), "ticker", "ZETA", "--no-history"]);
        Assert.Equal(0, await good.WaitForExitAsync(StartTimeout));
        Assert.Equal("ZETA at 100", Assert.Single(good.Lines));

        var bad = StartController([Path.Combine(scripts, "bad.csx"), "--no-history"]);
        Assert.Equal(1, await bad.WaitForExitAsync(StartTimeout));
        Assert.Empty(bad.Lines);
        Assert.Equal(["error: ticker refused Modify { Rate = 1000 }: property 'Rate': 1000 is outside 0.1..100 Hz (OUT_OF_RANGE)"], ErrorLines(bad));
    }

    [Fact]
    public async Task Eval_prints_the_value_and_says_who_called_in_the_audit()
    {
        await StartTickerAsync();

        var modify = StartController(["-e", "Connect(\"ticker\").Modify(new { Symbol = \"EVAL\" })", "--no-history"], new Dictionary<string, string> { ["REMOTEMODEL_Controller__Caller"] = "carol@lab" });
        Assert.Equal(0, await modify.WaitForExitAsync(StartTimeout));
        Assert.Matches(@"^\{ Symbol = ""EVAL"" \} @v\d+$", Assert.Single(modify.Lines));

        var history = StartController(["-e", "Connect(\"ticker\").History()", "--no-history"]);
        Assert.Equal(0, await history.WaitForExitAsync(StartTimeout));
        var record = Assert.Single(history.Lines, l => l.Contains("modify", StringComparison.Ordinal));
        Assert.Contains("carol@lab", record, StringComparison.Ordinal);
        Assert.Contains("{ Symbol = \"EVAL\" }", record, StringComparison.Ordinal);

        var list = StartController(["-e", "Names.List()", "--no-history"]);
        Assert.Equal(0, await list.WaitForExitAsync(StartTimeout));
        Assert.Contains(list.Lines, l => l.StartsWith("ticker  model", StringComparison.Ordinal));

        var wrong = StartController(["-e", "Connect(\"nothing\")", "--no-history"]);
        Assert.Equal(1, await wrong.WaitForExitAsync(StartTimeout));
        Assert.Equal([$"error: nothing: lookup at {_bed.NameServer} failed: No registration named 'nothing'. (NOT_FOUND)"], ErrorLines(wrong));
    }

    [Fact]
    public async Task The_viewer_table_shows_a_row_a_property_and_follows_the_model_across_a_restart()
    {
        var (server, address) = await StartTickerAsync();
        var viewer = _bed.Track(Executables.Start(Executables.Viewer, ["ticker", "--table", "--name", "wall", "--ns", _bed.NameServer]));
        await viewer.WaitForLineAsync("", StartTimeout, l => Row(l) is ["Symbol", "\"RMDL\"", ..]);

        var models = new ModelClient(_bed.Channel(address));
        await models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "ACME" },
            options: AsCaller("alice"));
        await viewer.WaitForLineAsync("", TimeSpan.FromSeconds(30), l => Row(l) is ["Symbol", "\"ACME\"", "", ['v', ..], _, var by] && by.StartsWith("alice [key local]", StringComparison.Ordinal));
        await viewer.WaitForLineAsync("", TimeSpan.FromSeconds(30), l => Row(l) is ["Rate", "1", "Hz", ..]);
        await viewer.WaitForLineAsync("ticker at ", TimeSpan.FromSeconds(30), l => l.Contains("  connected  v", StringComparison.Ordinal) && l.Contains("as wall", StringComparison.Ordinal));

        server.Signal(Posix.SigKill);
        await viewer.WaitForLineAsync("ticker at ", TimeSpan.FromSeconds(30), l => l.Contains("lost (", StringComparison.Ordinal));
        await StartTickerAsync();
        await viewer.WaitForLineAsync("ticker at ", TimeSpan.FromSeconds(30), l => l.Contains("reconnected: resynchronised at v", StringComparison.Ordinal));
        await Eventually.TrueAsync(
            () => Task.FromResult(viewer.Lines.SkipWhile(l => !l.Contains("reconnected", StringComparison.Ordinal)).Any(l => Row(l) is ["Symbol", "\"RMDL\"", _, _, _, "(snapshot)"])),
            "the table to show the restarted ticker's snapshot");

        viewer.Signal(Posix.SigTerm);
        Assert.Equal(0, await viewer.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await viewer.WaitForLineAsync("stopped viewing ticker", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_viewer_still_prints_a_line_a_change_with_lines()
    {
        var (_, address) = await StartTickerAsync();
        var viewer = _bed.Track(Executables.Start(Executables.Viewer, ["ticker", "--lines", "--ns", _bed.NameServer]));
        await viewer.WaitForLineAsync("connected to ticker", StartTimeout);

        await new ModelClient(_bed.Channel(address)).ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 50.0 },
            options: AsCaller("bob"));

        var line = await viewer.WaitForLineAsync("", TimeSpan.FromSeconds(30), l => l.Contains("Rate=50", StringComparison.Ordinal));
        Assert.Contains("CHANGE", line, StringComparison.Ordinal);
        Assert.Contains("by bob [key local] (modify)", line, StringComparison.Ordinal);
        Assert.DoesNotContain(viewer.Lines, l => l.Contains('│'));
    }

    [Fact]
    public async Task On_a_terminal_the_line_editor_recalls_the_history_and_Ctrl_C_twice_at_the_prompt_leaves()
    {
        var history = Path.Combine(_bed.Directory, "terminal-history");
        await File.WriteAllTextAsync(history, "6 * 7\n");
        // script(1) gives the controller a terminal of its own, as a person's would be.
        var command = string.Join(' ', new[] { "dotnet", Executables.Controller, "--ns", _bed.NameServer, "--history", history }.Select(a => $"'{a}'"));
        var controller = _bed.Track(ChildProcess.Start("script", ["--quiet", "--return", "--command", command, "/dev/null"]));
        await controller.WaitForLineAsync("Type #help", StartTimeout);

        // Up recalls the last session's submission; Home, Right and typing edit it.
        await TypeAsync("\u001b[A\u001b[H\u001b[C0\r");
        await controller.WaitForLineAsync("", StartTimeout, l => l.Contains("420", StringComparison.Ordinal));
        await TypeAsync("#history\r");
        await controller.WaitForLineAsync("", StartTimeout, l => l.Contains("2  60 * 7", StringComparison.Ordinal));
        await TypeAsync("\u0003");
        await controller.WaitForLineAsync("", StartTimeout, l => l.Contains("(Ctrl+C again or #exit to leave)", StringComparison.Ordinal));
        await TypeAsync("\u0003");

        Assert.Equal(0, await controller.WaitForExitAsync(StartTimeout));
        Assert.Equal(["6 * 7", "60 * 7"], await File.ReadAllLinesAsync(history));

        async Task TypeAsync(string keys)
        {
            await controller.StandardInput.WriteAsync(keys);
            await controller.StandardInput.FlushAsync();
        }
    }

    /// <summary>The cells of a table row (<c>│ a │ b │</c>), or null for any other line.</summary>
    private static string[]? Row(string line) =>
        line.StartsWith('│') ? [.. line.Trim().Trim('│').Split('│').Select(c => c.Trim())] : null;

    [Fact]
    public async Task A_keyring_others_can_read_stops_the_controller_and_the_viewer_with_one_line_that_says_the_fix()
    {
        var keyring = Path.Combine(_bed.Directory, "shared-keyring.json");
        File.Copy(TestKeyring.Path, keyring);
        File.SetUnixFileMode(keyring, (UnixFileMode)0b110_100_100);
        var environment = new Dictionary<string, string> { ["REMOTEMODEL_KEYRING"] = keyring };

        var controller = StartController(["-e", "1 + 1", "--no-history"], environment);
        Assert.Equal(1, await controller.WaitForExitAsync(StartTimeout));
        Assert.Equal([$"error: The keyring {keyring} can be read or written by others (mode 0644); it holds secrets, so it is refused. Fix it with: chmod 600 {keyring}"],
            ErrorLines(controller));

        var viewer = _bed.Track(Executables.Start(Executables.Viewer, ["ticker", "--ns", _bed.NameServer], environment));
        Assert.Equal(1, await viewer.WaitForExitAsync(StartTimeout));
        Assert.Single(ErrorLines(viewer), l => l.EndsWith($"Fix it with: chmod 600 {keyring}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mistyped_flag_stops_the_controller_with_one_line_and_settings_before_a_script_are_settings()
    {
        foreach (var arguments in new[] { ["--verbos", "-e", "1 + 1"], new[] { "-e", "1 + 1", "--no-histry" } })
        {
            var mistyped = StartController([.. arguments, "--no-history"]);
            Assert.Equal(2, await mistyped.WaitForExitAsync(StartTimeout));
            Assert.Equal([$"error: Unrecognized argument '{arguments.First(a => a.StartsWith("--", StringComparison.Ordinal))}': see --help for the flags; settings are given as --Section:Key=value."],
                ErrorLines(mistyped));
        }

        // A setting before the script is the controller's (Verbose prints the stack trace), not the script's path.
        var failing = Path.Combine(_bed.Directory, "failing.csx");
        await File.WriteAllTextAsync(failing, "Console.WriteLine(string.Join(\",\", Args)); throw new InvalidOperationException(\"boom\");");
        var run = StartController(["--Controller:Verbose=true", failing, "--no-history", "--", "--not-a-flag", "x"]);
        Assert.Equal(1, await run.WaitForExitAsync(StartTimeout));
        var errors = ErrorLines(run);
        Assert.Contains(errors, l => l.Contains("boom", StringComparison.Ordinal));
        Assert.Contains(errors, l => l.StartsWith("at ", StringComparison.Ordinal));
        // After "--", everything is the script's (here also the --ns the helper adds at the end).
        Assert.Contains(run.Lines, l => l.StartsWith("--not-a-flag,x,--ns,", StringComparison.Ordinal));
    }

    /// <summary>Call options naming <paramref name="caller"/>, as the controller names its user.</summary>
    private static CallOptions AsCaller(string caller) => new(headers: new Metadata { { "remotemodel-caller", caller } });

    private static string[] ErrorLines(ChildProcess process) =>
        process.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private ChildProcess StartController(string[] arguments, IDictionary<string, string>? environment = null) =>
        _bed.Track(Executables.Start(Executables.Controller, [.. arguments, "--ns", _bed.NameServer], environment));

    private Task<(ChildProcess Process, string Address)> StartTickerAsync() => _bed.StartTickersAsync("ticker");
}
