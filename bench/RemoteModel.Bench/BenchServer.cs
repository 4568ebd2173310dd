using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Server;
using RemoteModel.Hosting;
using RemoteModel.Models.Relay;
using RemoteModel.Models.Server;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;

namespace RemoteModel.Bench;

/// <summary>
/// The server side of the bench's C# workloads, run in a child process of its own (<c>bench MODE</c>, started by
/// <see cref="BenchProcess.StartAsync"/>): a Kestrel app built as the executables build theirs
/// (<see cref="GrpcServerApplication"/>: Kestrel's limits and pings, health, reflection) on a free loopback port.
/// </summary>
internal static class BenchServer
{
    /// <summary><see cref="EchoService"/> served as the project serves every service, no verifier: calls unchecked, answers unsealed.</summary>
    public const string EchoMode = "serve-echo";

    /// <summary>
    /// <see cref="EchoService"/> with every call verified (HMAC over the request, nonce and time; replay and skew checks)
    /// against the keyring <c>$REMOTEMODEL_KEYRING</c> names, and every answer sealed.
    /// </summary>
    public const string SignedEchoMode = "serve-echo-signed";

    /// <summary>
    /// <see cref="EchoService"/> on grpc-dotnet as its own templates serve it (<c>AddGrpc</c>, <c>MapGrpcService</c>, Kestrel's
    /// defaults, HTTP/2 only), with nothing of the project's: what the stock stack costs on this machine, under every row of ours.
    /// </summary>
    public const string StockEchoMode = "serve-echo-stock";

    /// <summary><see cref="BenchModel"/> served as <see cref="ModelWorkloads.ModelName"/> by the model service, authentication off.</summary>
    public const string ModelMode = "serve-model";

    /// <summary>
    /// A relay server: the model <c>$REMOTEMODEL_BENCH_RELAY_SOURCE</c> names (<c>http://host:port/bench/model</c>)
    /// relayed as <see cref="ModelWorkloads.ModelName"/> (<see cref="ModelRegistry.AddRelay"/>), authentication off.
    /// </summary>
    public const string RelayMode = "serve-relay";

    /// <summary>The environment variable naming a relay server's source.</summary>
    public const string RelaySourceVariable = "REMOTEMODEL_BENCH_RELAY_SOURCE";

    /// <summary>Serves what <paramref name="mode"/> names until the harness closes stdin; false when it names no server.</summary>
    public static async Task<bool> TryServeAsync(string mode)
    {
        switch (mode)
        {
            case EchoMode:
                await ServeAsync(settings: [], services => AddEcho(services, verifier: null), app => app.MapAuthenticatedGrpcService<EchoService>());
                return true;
            case SignedEchoMode:
                var verifier = new HmacCallVerifier(KeyringSource.Fixed(KeyringFile.Read(KeyringFile.Locate())));
                await ServeAsync(settings: [], services => AddEcho(services, verifier), app => app.MapAuthenticatedGrpcService<EchoService>());
                return true;
            case StockEchoMode:
                await ServeStockEchoAsync();
                return true;
            case ModelMode:
                // As the transport's bench server had it: no verifier and no scope checks (Auth:Enabled=false), room for the memory workload's viewers.
                await ServeAsync(
                    new Dictionary<string, string?> { ["Auth:Enabled"] = "false", ["Models:MaxViewers"] = "20000" },
                    services => services.AddRemoteModels((registry, _) => registry.Add(ModelWorkloads.ModelName, new BenchModel())),
                    app => app.MapRemoteModels());
                return true;
            case RelayMode:
                var source = RelaySource.Parse(Environment.GetEnvironmentVariable(RelaySourceVariable)
                    ?? throw new InvalidOperationException($"{RelayMode} needs ${RelaySourceVariable}."));
                await ServeAsync(
                    new Dictionary<string, string?> { ["Auth:Enabled"] = "false", ["Models:MaxViewers"] = "20000" },
                    services => services.AddRemoteModels((registry, _) => registry.AddRelay(ModelWorkloads.ModelName, source)),
                    app => app.MapRemoteModels());
                return true;
            default:
                return false;
        }
    }

    private static void AddEcho(IServiceCollection services, CallVerifier? verifier)
    {
        // One instance for every call, as the transport's server had it.
        services.AddSingleton(new EchoService());
        if (verifier is not null)
        {
            services.AddSingleton(verifier);
        }

        services.AddAuthenticatedGrpcService<EchoService>();
    }

    private static async Task ServeStockEchoAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new EchoService());
        await using var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Console.WriteLine($"LISTENING {new Uri(address).Port}");
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
    }

    /// <summary>Starts the app, says <c>LISTENING PORT</c> on stdout, and serves until stdin is closed.</summary>
    private static async Task ServeAsync(Dictionary<string, string?> settings, Action<IServiceCollection> addServices, Action<WebApplication> map)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = GrpcServerApplication.CreateBuilder(configuration, ["http://127.0.0.1:0"]);
        addServices(builder.Services);
        await using var app = builder.Build();
        app.MapGrpcServing();
        map(app);
        await app.StartAsync();
        Console.WriteLine($"LISTENING {new Uri(app.Services.GrpcAddresses()[0]).Port}");
        await Console.In.ReadToEndAsync(); // until the harness closes our stdin
        await app.StopAsync();
    }
}
