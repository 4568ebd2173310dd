using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Client;
using RemoteModel.Models.Server;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Controller.Tests;

/// <summary>
/// A real server on loopback port 0 that is both a name server (embedded store) and a model
/// server hosting an <see cref="Oven"/>, registered under the model's name. Both services are
/// added and mapped as the executables do (<c>AddRemoteModels</c>, <c>AddNameService</c>), so calls
/// are verified with the test keyring and callers are attributed to its key.
/// </summary>
public sealed class LoopbackServers : IAsyncDisposable
{
    private readonly LoopbackServer _server;

    private LoopbackServers(LoopbackServer server, Oven oven)
    {
        _server = server;
        Oven = oven;
    }

    public string Address => _server.Address;

    public Oven Oven { get; }

    public static async Task<LoopbackServers> StartAsync(string model = "oven")
    {
        var oven = new Oven();
        var server = await LoopbackServer.StartAsync(
            services => services.AddRemoteModels((registry, _) => registry.Add(model, oven)).AddNameService(),
            app =>
            {
                app.MapRemoteModels();
                app.MapNameService();
            });
        var servers = new LoopbackServers(server, oven);
        await servers.RegisterAsync(model, servers.Address);
        return servers;
    }

    /// <summary>Registers <paramref name="name"/> statically at <paramref name="endpoint"/> with this name server, signed with the test key.</summary>
    public async Task RegisterAsync(string name, string endpoint)
    {
        using var channel = TestKeyring.Channel(Address);
        await new NamingClient(channel).RegisterAsync(new Registration { Name = name, Kind = "model", Endpoints = { endpoint } }, TimeSpan.Zero);
    }

    /// <summary>Client options for this name server, calling as <paramref name="caller"/>.</summary>
    public ClientOptions Options(string caller = "tester@lab", Func<CancellationToken>? cancellation = null) =>
        new() { NameServer = Address, Caller = caller, Cancellation = cancellation };

    /// <summary>Stops the server; the registry, the store and the oven's host go with it.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
