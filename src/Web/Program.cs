using System.CommandLine;
using RemoteModel.Web.Hosting;

// remotemodel-web [--ns ADDR] [--listen http://127.0.0.1:8080] [--read-only] [--Section:Key=value ...]
var root = new RootCommand("RemoteModel web view: the registry and a page generated from each model's schema, live in the browser.");
WebCommand.Configure(root);
// Signals are RemoteModel.Hosting.SignalLifetime's: System.CommandLine's own handling would cut a graceful stop short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
