using System.CommandLine;
using RemoteModel.Examples.TickerDemo;

// ticker-demo [--ns http://127.0.0.1:9090] [--web http://127.0.0.1:8080] [viewer options]
var nameServer = new Option<string?>("--ns") { Description = "The name server to use, or to start there when none answers. Default $REMOTEMODEL_NAMESERVER, then http://127.0.0.1:9090." };
var web = new Option<string>("--web") { Description = "Where the web view listens (loopback). Default http://127.0.0.1:8080, or a free port when that one is taken.", DefaultValueFactory = _ => Demo.DefaultWebAddress };
var root = new RootCommand(
    "RemoteModel's quick start: a name server (embedded store), a model server serving the ticker example as \"ticker\", the web view, and a viewer following it. " +
    "Other options are passed to the viewer.")
{
    nameServer,
    web,
};
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction((result, _) => new Demo(result.GetValue(nameServer), result.GetValue(web)!, [.. result.UnmatchedTokens]).RunAsync());
// Signals are the demo's own (see Demo): System.CommandLine's handling would cut the stop short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
