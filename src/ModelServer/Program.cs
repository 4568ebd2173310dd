using System.CommandLine;
using RemoteModel.ModelServer;

// remotemodel-server --model ticker=RemoteModel.Examples.Ticker.TickerModel --assembly path/to/Ticker.dll
var root = new RootCommand("RemoteModel model server: hosts models, each under its own name, registered with the name server while it runs.");
ServeCommand.Configure(root);
// Signals are RemoteModel.Hosting.ShutdownSignal's: System.CommandLine's own handling would
// cut a graceful stop short after two seconds.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
