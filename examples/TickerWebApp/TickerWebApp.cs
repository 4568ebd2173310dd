using RemoteModel.Examples.Ticker;
using RemoteModel.Models.Server;

namespace RemoteModel.Examples.TickerWebApp;

/// <summary>
/// An ordinary ASP.NET Core app that also serves the ticker model over gRPC: one call to add the
/// model service, one to map it. Its own endpoints read the same model in process.
/// </summary>
public static class TickerWebApp
{
    /// <summary>Builds the app; <paramref name="args"/> are configuration, as for any ASP.NET Core app.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new TickerModel(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddRemoteModels((models, services) => models.Add("ticker", services.GetRequiredService<TickerModel>()));

        var app = builder.Build();
        app.MapGet("/", () => "A web app that also serves the model 'ticker' over gRPC (remotemodel.v1.Model).");
        app.MapGet("/price", (TickerModel ticker) => new { ticker.Symbol, ticker.Price, ticker.Rate });
        app.MapRemoteModels();
        return app;
    }
}
