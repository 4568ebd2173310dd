using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using RemoteModel.Client;
using RemoteModel.Hosting;
using RemoteModel.Security;
using Serilog;
using Serilog.Extensions.Logging;
using RemoteModel.Hosting.Telemetry;

namespace RemoteModel.Controller;

/// <summary>The command line: a session, a script, or one evaluation; exit code 0, or 1 when something failed.</summary>
internal static class ControllerCommand
{
    /// <param name="root">The command to set up.</param>
    /// <param name="settings">The configuration settings taken off the command line (<see cref="Configuration.SeparateSettings"/>).</param>
    public static void Configure(RootCommand root, string[] settings)
    {
        var script = new Argument<string?>("script") { Description = "A C# script (.csx) to run instead of a session.", Arity = ArgumentArity.ZeroOrOne };
        var scriptArguments = new Argument<string[]>("args") { Description = "The script's arguments (Args); put -- before ones that start with -.", Arity = ArgumentArity.ZeroOrMore };
        var eval = new Option<string?>("--eval", "-e") { Description = "Evaluate this code, print its value, and exit." };
        var nameServer = new Option<string?>("--ns") { Description = "The name server. Default $REMOTEMODEL_NAMESERVER, then http://127.0.0.1:9090." };
        var verbose = new Option<bool>("--verbose") { Description = "Print errors with their stack traces." };
        var historyFile = new Option<string?>("--history") { Description = "The history file. Default $XDG_STATE_HOME/remotemodel/controller_history (~/.local/state/...)." };
        var noHistory = new Option<bool>("--no-history") { Description = "Keep no history." };
        foreach (var option in new Option[] { eval, nameServer, verbose, historyFile, noHistory })
        {
            root.Options.Add(option);
        }

        root.Arguments.Add(script);
        root.Arguments.Add(scriptArguments);
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((result, _) =>
        {
            // What is left unmatched, or taken for a script's path though it starts with '-', is a mistyped flag.
            string[] unrecognized = result.GetValue(script) is ['-', ..] dashed ? [dashed, .. result.UnmatchedTokens] : [.. result.UnmatchedTokens];
            if (!Configuration.AreSettings(unrecognized, out var problem))
            {
                Console.Error.WriteLine($"error: {problem}");
                return Task.FromResult(2);
            }

            if (!ClientCredentials.TryLoadDefault(out var keyProblem))
            {
                Console.Error.WriteLine($"error: {keyProblem}");
                return Task.FromResult(1);
            }

            var overrides = new Dictionary<string, string?>();
            if (result.GetValue(nameServer) is { } ns)
            {
                overrides["Controller:NameServer"] = ns;
            }

            if (result.GetValue(verbose))
            {
                overrides["Controller:Verbose"] = "true";
            }

            if (result.GetValue(historyFile) is { } path)
            {
                overrides["Controller:HistoryFile"] = path;
            }

            if (result.GetValue(noHistory))
            {
                overrides["Controller:History"] = "false";
            }

            var configuration = Configuration.Build(settings, overrides);
            return RunAsync(configuration, result.GetValue(eval), result.GetValue(script), result.GetValue(scriptArguments) ?? []);
        });
    }

    private static async Task<int> RunAsync(IConfigurationRoot configuration, string? code, string? scriptPath, string[] scriptArguments)
    {
        var options = configuration.GetSection("Controller").Get<ControllerOptions>() ?? new ControllerOptions();
        Log.Logger = Logging.Create(configuration);
        using var telemetry = TelemetryExtensions.StartForTool(configuration);
        using var loggerFactory = new SerilogLoggerFactory(Log.Logger);
        var interactive = code is null && scriptPath is null && !Console.IsInputRedirected;
        LineTrackingWriter? terminal = null;
        if (interactive && !Console.IsOutputRedirected)
        {
            Console.SetOut(terminal = new LineTrackingWriter(Console.Out));
        }

        using var interrupts = new Interrupts();
        using var globals = new ControllerGlobals(options, scriptArguments, Console.Out);
        var engine = new ScriptEngine(globals, Console.Out, Console.Error) { Verbose = options.Verbose };
        try
        {
            if (code is not null)
            {
                using var evaluation = interrupts.BeginEvaluation();
                return await engine.SubmitAsync(code, evaluation.Token) ? 0 : 1;
            }

            if (scriptPath is not null)
            {
                using var evaluation = interrupts.BeginEvaluation();
                return await engine.RunFileAsync(scriptPath, evaluation.Token) ? 0 : 1;
            }

            var history = options.History
                ? ReplHistory.Open(string.IsNullOrWhiteSpace(options.HistoryFile) ? ReplHistory.DefaultPath() : options.HistoryFile, options.HistorySize,
                    loggerFactory.CreateLogger<ReplHistory>())
                : null;
            if (interactive)
            {
                _ = ScriptEngine.WarmUpAsync();
                Console.Out.WriteLine($"RemoteModel controller: C# with Connect(\"NAME\") and Names preloaded (name server {globals.Names.Address}, calls as {options.Caller ?? ClientConnections.DefaultCaller}).");
                Console.Out.WriteLine("Type #help for help, #exit or Ctrl+D to leave.");
            }

            return await new Repl(engine, history, interrupts, Console.Out, interactive, terminal).RunAsync();
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
