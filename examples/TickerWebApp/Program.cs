using RemoteModel.Examples.TickerWebApp;

await TickerWebApp.Build(args).RunAsync();
