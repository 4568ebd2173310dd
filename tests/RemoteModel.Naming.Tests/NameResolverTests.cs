using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Server;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;
using Xunit;

namespace RemoteModel.Naming.Tests;

/// <summary>A stock GrpcChannel for <c>name://nameserver/NAME</c>, resolved by <see cref="NameResolverFactory"/>.</summary>
public sealed class NameResolverTests : IAsyncLifetime
{
    private ServedNamingService _names = null!;

    public async Task InitializeAsync()
    {
        var service = new NamingService(new EmbeddedRegistryStore(new EmbeddedRegistryOptions(), TimeProvider.System));
        _names = await ServedNamingService.StartAsync(service);
    }

    public async Task DisposeAsync() => await _names.DisposeAsync();

    [Fact]
    public async Task A_channel_for_a_name_calls_the_server_registered_under_it_and_follows_it_to_a_new_port()
    {
        await using var first = await StartEchoAsync();
        await RegisterAsync("lab/echo", first.Address);
        using var channel = NameChannel("lab/echo");
        var echo = new Echo.EchoClient(channel);
        Assert.Equal("one", (await echo.UnaryAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFromUtf8("one") })).Payload.ToStringUtf8());

        // The server goes; another comes up elsewhere under the same name. The channel's failed
        // connection makes it look the name up again.
        await first.StopAsync();
        await using var second = await StartEchoAsync();
        await RegisterAsync("lab/echo", second.Address);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await echo.UnaryAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFromUtf8("two") }, deadline: DateTime.UtcNow.AddSeconds(2))).Payload.ToStringUtf8() == "two";
            }
            catch (RpcException)
            {
                return false;
            }
        }, "the channel follows the name to the new server", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_name_nobody_registered_fails_the_call_with_unavailable_saying_so()
    {
        using var channel = NameChannel("lab/nobody");
        var error = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).UnaryAsync(new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("lab/nobody", error.Status.Detail, StringComparison.Ordinal);
    }

    private GrpcChannel NameChannel(string name)
    {
        var services = new ServiceCollection().AddSingleton<ResolverFactory>(new NameResolverFactory(TestKeyring.Signer)).BuildServiceProvider();
        var nameServer = new Uri(_names.Server.Address).Authority;
        return GrpcChannel.ForAddress($"name://{nameServer}/{name}", new GrpcChannelOptions { ServiceProvider = services, Credentials = ChannelCredentials.Insecure });
    }

    private Task RegisterAsync(string name, string address) =>
        _names.Client.RegisterAsync(new Registration { Name = name, Kind = "model", Endpoints = { address } }, TimeSpan.Zero);

    private static Task<LoopbackServer> StartEchoAsync() =>
        LoopbackServer.StartAsync(
            services => services.AddSingleton(new EchoService()).AddAuthenticatedGrpcService<EchoService>(),
            app => app.MapAuthenticatedGrpcService<EchoService>(),
            new Dictionary<string, string?> { ["Auth:Enabled"] = "false" });
}
