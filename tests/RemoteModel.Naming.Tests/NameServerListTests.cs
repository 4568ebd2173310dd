using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// Name servers that share one registry, named together (<c>http://ns1:9090,http://ns2:9090</c>):
/// a client uses the first that answers and moves to the next when it goes away, and a held
/// registration follows. Two real servers on loopback over one store.
/// </summary>
public sealed class NameServerListTests : IAsyncLifetime
{
    private EmbeddedRegistryStore _store = null!;
    private ServedNamingService _first = null!;
    private ServedNamingService _second = null!;
    private bool _firstStopped;

    public async Task InitializeAsync()
    {
        _store = new EmbeddedRegistryStore();
        _first = await ServedNamingService.StartAsync(new NamingService(_store, new NamingServiceOptions { ServerName = "first" }));
        _second = await ServedNamingService.StartAsync(new NamingService(_store, new NamingServiceOptions { ServerName = "second" }));
    }

    public async Task DisposeAsync()
    {
        if (!_firstStopped)
        {
            await _first.DisposeAsync();
        }

        await _second.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Calls_go_to_the_first_name_server_and_to_the_next_once_it_is_gone_and_a_hold_follows()
    {
        var both = $"{_first.Server.Address},{_second.Server.Address}";
        using var channel = SignedChannel.ForAddress(both, TestKeyring.Signer);
        var client = new NamingClient(channel);
        Assert.Equal("first", (await client.PingAsync(new PingRequest())).Server);

        using var keeperChannel = RegistrationKeeper.CreateChannel(both, TestKeyring.Signer);
        await using var keeper = new RegistrationKeeper(new Registration { Name = "lab/held", Kind = "model", Endpoints = { "http://192.0.2.10:9191" } }, keeperChannel)
        {
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        };
        var firstLease = (await keeper.Start().Registered.WaitAsync(TimeSpan.FromSeconds(30))).LeaseId;

        _firstStopped = true;
        await _first.DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await client.PingAsync(new PingRequest())).Server == "second";
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, "calls to move to the second name server");

        // Held again through the second: under a new lease, found there.
        await Eventually.TrueAsync(() => Task.FromResult(keeper.Current?.LeaseId is { } lease && lease != firstLease), "the hold to move to the second name server");
        Assert.Equal(["http://192.0.2.10:9191"], (await client.LookupAsync("lab/held")).Endpoints);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1,https://127.0.0.1:2", "mixes http and https")]
    [InlineData("http://127.0.0.1:1,ftp://x", "is not an address")]
    public void A_list_that_cannot_be_one_service_is_refused(string address, string why) =>
        Assert.Contains(why, Assert.Throws<ArgumentException>(() => SignedChannel.ForAddress(address)).Message, StringComparison.Ordinal);
}
