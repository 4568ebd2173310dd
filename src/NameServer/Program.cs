using System.CommandLine;
using RemoteModel.NameServer;

// remotemodel-ns            run the name server (same as `serve`)
// remotemodel-ns list|lookup|watch|remove|ping|register ...   talk to one
// remotemodel-ns monitor [--endpoint ADDR]                      every call a server serves, live
// remotemodel-ns keys generate|list|revoke ...                  manage the keyring
var serve = ServeCommand.Create();
var root = new RootCommand("RemoteModel name server: leased registrations found by name, prefix, pattern or metadata.");
foreach (var option in ClientCommands.GlobalOptions)
{
    root.Options.Add(option);
}

root.Subcommands.Add(serve);
foreach (var command in ClientCommands.Create())
{
    root.Subcommands.Add(command);
}

root.Subcommands.Add(KeysCommand.Create());

// No subcommand: serve, with whatever configuration arguments were given.
if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) && !args.Contains("--help") && !args.Contains("-h") && args[0] != "--ns" && args[0] != "--json")
{
    args = ["serve", .. args];
}

// Signals are RemoteModel.Hosting.ShutdownSignal's: System.CommandLine's own handling would
// cut a graceful stop short after two seconds.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
