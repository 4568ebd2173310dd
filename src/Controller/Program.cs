using System.CommandLine;
using RemoteModel.Controller;

// remotemodel-controller                       an interactive C# session (or the submissions piped to it)
// remotemodel-controller script.csx [args]     runs a script
// remotemodel-controller -e "CODE"             evaluates once and prints the value
var root = new RootCommand("RemoteModel controller: a C# Interactive style REPL with the RemoteModel client preloaded: Connect(\"ticker\"), Names.List(), ...");
ControllerCommand.Configure(root);
// Ctrl+C and SIGTERM are the session's own (Interrupts): Ctrl+C cancels an evaluation, not the process.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
