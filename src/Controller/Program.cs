using System.CommandLine;
using RemoteModel.Controller;
using RemoteModel.Hosting;

// remotemodel-controller                       an interactive C# session (or the submissions piped to it)
// remotemodel-controller script.csx [args]     runs a script
// remotemodel-controller -e "CODE"             evaluates once and prints the value
// Settings (--Controller:Caller=lab-pc) go anywhere before "--": taken out first, or the script
// argument would take the first of them for a script's path.
var commandLine = Configuration.SeparateSettings(args, out var settings);
var root = new RootCommand("RemoteModel controller: a C# Interactive style REPL with the RemoteModel client preloaded: Connect(\"ticker\"), Names.List(), ...");
ControllerCommand.Configure(root, settings);
// Ctrl+C and SIGTERM are the session's own (Interrupts): Ctrl+C cancels an evaluation, not the process.
return await root.Parse(commandLine).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
