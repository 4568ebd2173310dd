using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Hosting;

namespace RemoteModel.Testing;

/// <summary>
/// A real Kestrel server on a free loopback port, built as the executables build theirs
/// (<see cref="GrpcServerApplication"/>: Kestrel's limits and pings, health, reflection), with the
/// services a test adds and maps. Settings are configuration keys (<c>Auth:Enabled</c>,
/// <c>Kestrel:Limits:Http2:KeepAlivePingDelay</c>, ...); the test keyring is the server's.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app)
    {
        _app = app;
        Addresses = app.Services.GrpcAddresses();
    }

    /// <summary>Where it listens, as clients write it.</summary>
    public string Address => Addresses[0];

    /// <summary>Every address it listens on.</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server with what <paramref name="configureServices"/> adds and <paramref name="map"/> maps.</summary>
    public static async Task<LoopbackServer> StartAsync(
        Action<IServiceCollection> configureServices,
        Action<WebApplication> map,
        IReadOnlyDictionary<string, string?>? settings = null,
        IReadOnlyList<string>? listen = null)
    {
        TestKeyring.Initialize();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var builder = GrpcServerApplication.CreateBuilder(configuration, listen ?? ["http://127.0.0.1:0"]);
        configureServices(builder.Services);
        var app = builder.Build();
        app.MapGrpcServing();
        map(app);
        await app.StartAsync();
        return new LoopbackServer(app);
    }

    /// <summary>Stops it gracefully, as Ctrl+C stops an executable.</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
