using System.CommandLine;
using RemoteModel.Viewer;

// remotemodel-viewer MODEL [--ns ADDR] [--name VIEWER] [--properties A,B] [--latest] [--max-rate HZ]
var root = new RootCommand("RemoteModel viewer: prints a model's refresh notifications as they come, following it across restarts.");
FollowCommand.Configure(root);
// Signals are RemoteModel.Hosting.ShutdownSignal's: System.CommandLine's own handling would
// cut a graceful stop short after two seconds.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
