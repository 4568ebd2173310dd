using RemoteModel.Client;
using RemoteModel.Models;
using RemoteModel.Models.Server;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Server;

namespace RemoteModel.Controller.Tests;

/// <summary>
/// A real server on loopback port 0 that is both a name server (embedded store) and a model
/// server hosting an <see cref="Oven"/>, registered under the model's name.
/// </summary>
public sealed class LoopbackServers : IAsyncDisposable
{
    private readonly ModelRegistry _models;
    private readonly EmbeddedRegistryStore _names;
    private readonly GrpcServer _server;

    private LoopbackServers(ModelRegistry models, EmbeddedRegistryStore names, GrpcServer server, Oven oven)
    {
        _models = models;
        _names = names;
        _server = server;
        Oven = oven;
    }

    public string Address => _server.Addresses[0];

    public Oven Oven { get; }

    public static async Task<LoopbackServers> StartAsync(string model = "oven")
    {
        var models = new ModelRegistry(new ModelHostOptions(), TimeProvider.System);
        var oven = new Oven();
        models.Add(model, oven);
        var names = new EmbeddedRegistryStore();
        var server = GrpcServer.CreateBuilder().AddService(new ModelService(models).Bind()).AddService(new NamingService(names).Bind())
            .UseCallVerifier(TestKeyring.Verifier()).Build();
        await server.StartAsync();
        var servers = new LoopbackServers(models, names, server, oven);
        using var channel = GrpcChannel.ForAddress(servers.Address);
        await new NamingClient(channel).RegisterAsync(new Registration { Name = model, Kind = "model", Endpoints = { servers.Address } }, TimeSpan.Zero);
        return servers;
    }

    /// <summary>Client options for this name server, calling as <paramref name="caller"/>.</summary>
    public ClientOptions Options(string caller = "tester@lab", Func<CancellationToken>? cancellation = null) =>
        new() { NameServer = Address, Caller = caller, Cancellation = cancellation };

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _models.DisposeAsync();
        await _names.DisposeAsync();
    }
}
