using System.Net;
using RemoteModel.Grpc;
using RemoteModel.Hosting;
using RemoteModel.Models.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// What servers give others as their addresses: a wildcard or port-0 listen becomes the host's
/// reachable addresses with the actual port; <c>--advertise</c> overrides it. The rule on given
/// interfaces, then the executables as real processes.
/// </summary>
public sealed class AdvertisedAddressTests : IAsyncLifetime
{
    private static readonly IPAddress[] Interfaces = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("198.51.100.4"), IPAddress.Parse("fd00::10")];

    private ProcessTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ProcessTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public void A_wildcard_listen_becomes_each_interface_address_with_the_actual_port()
    {
        Assert.Equal(["http://192.0.2.10:40123", "http://198.51.100.4:40123"], AdvertisedAddresses.Derive(["http://0.0.0.0:40123"], [], Interfaces));
        Assert.Equal(["https://192.0.2.10:9191", "https://198.51.100.4:9191", "https://[fd00::10]:9191"], AdvertisedAddresses.Derive(["https://[::]:9191"], [], Interfaces));
        Assert.Equal(["http://127.0.0.1:40123", "unix:/run/rm.sock"], AdvertisedAddresses.Derive(["http://127.0.0.1:40123", "unix:/run/rm.sock"], [], Interfaces));

        // A host with nothing but loopback can still be reached from itself.
        Assert.Equal(["http://127.0.0.1:40123"], AdvertisedAddresses.Derive(["http://0.0.0.0:40123"], [], []));
    }

    [Fact]
    public void Advertised_urls_replace_the_listen_addresses_and_a_host_name_takes_the_place_of_their_host()
    {
        Assert.Equal(["http://gw.lab.example:80"], AdvertisedAddresses.Derive(["http://0.0.0.0:40123", "unix:/run/rm.sock"], ["http://gw.lab.example:80"], Interfaces));
        Assert.Equal(["http://stage-pc.lab.example:40123", "https://stage-pc.lab.example:40124"],
            AdvertisedAddresses.Derive(["http://0.0.0.0:40123", "https://127.0.0.1:40124", "unix:/run/rm.sock"], ["stage-pc.lab.example"], Interfaces));
        Assert.Equal(["http://[fd00::99]:40123"], AdvertisedAddresses.Derive(["http://0.0.0.0:40123"], ["fd00::99"], Interfaces));
    }

    [Theory]
    [InlineData("http://0.0.0.0:9191", "is a wildcard")]
    [InlineData("0.0.0.0", "is a wildcard")]
    [InlineData("http://lab-pc:0", "has port 0")]
    [InlineData("ftp://lab-pc:21", "is not an address")]
    [InlineData("lab pc", "is not a host name or address")]
    public void An_advertised_address_nobody_can_use_is_refused(string value, string why) =>
        Assert.Contains($"Advertised address '{value}' {why}", AdvertisedAddresses.Problem(value), StringComparison.Ordinal);

    [Fact]
    public async Task A_model_server_on_0_0_0_0_port_0_registers_reachable_addresses_with_its_port_and_is_reached_there()
    {
        var (_, address) = await _bed.StartTickersAsync(["--listen", "http://0.0.0.0:0"], "reach/ticker");
        var registered = (await _bed.Naming.LookupAsync("reach/ticker")).Endpoints;
        var reachable = HostAddresses.Reachable().Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        Assert.Equal(address, registered[0]);
        var uris = registered.Select(e => new Uri(e)).ToList();
        Assert.All(uris, uri => Assert.Contains(IPAddress.Parse(uri.Host), reachable.Count > 0 ? reachable : [IPAddress.Loopback]));
        Assert.Single(uris.Select(u => u.Port).Distinct());
        Assert.NotEqual(0, uris[0].Port);

        var description = await new ModelClient(_bed.Channel(registered[0])).DescribeAsync("reach/ticker");
        Assert.Equal("reach/ticker", description.Model);
    }

    [Fact]
    public async Task A_model_server_registers_what_advertise_says_from_the_flag_and_from_configuration()
    {
        var (_, address) = await _bed.StartTickersAsync(
            ["--listen", "http://127.0.0.1:0", "--advertise", "http://192.0.2.99:9191", "--ModelServer:Advertise:1=ticker-host.lab.example"], "reach/advertised");
        var registered = (await _bed.Naming.LookupAsync("reach/advertised")).Endpoints;
        Assert.Equal(2, registered.Count);
        Assert.Equal("http://192.0.2.99:9191", registered[0]);
        var named = new Uri(registered[1]);
        Assert.Equal("ticker-host.lab.example", named.Host);
        Assert.NotEqual(0, named.Port);

        // The ready line tells scripts the same.
        Assert.Equal(registered[0], address);
    }

    [Fact]
    public async Task A_model_server_told_to_advertise_a_wildcard_refuses_to_start_saying_why()
    {
        await using var server = Executables.Start(Executables.ModelServer,
            ["--model", "x=RemoteModel.Examples.Ticker.TickerModel", "--assembly", Executables.TickerAssembly, "--no-register", "--advertise", "http://0.0.0.0:9191"]);
        Assert.NotEqual(0, await server.WaitForExitAsync(ProcessTestBed.StartTimeout));
        Assert.Contains("Advertised address 'http://0.0.0.0:9191' is a wildcard, which no client can connect to", string.Join('\n', server.Lines) + server.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_server_on_0_0_0_0_gives_an_address_other_hosts_can_use_and_answers_there()
    {
        await using var nameServer = Executables.Start(Executables.NameServer,
            ["--listen", "http://0.0.0.0:0", "--data-dir", Path.Combine(_bed.Directory, "ns2")]);
        var addresses = (await nameServer.WaitForLineAsync("LISTENING", ProcessTestBed.StartTimeout)).Split(' ');
        Assert.DoesNotContain(addresses, a => a.Contains("0.0.0.0", StringComparison.Ordinal));
        Assert.All(addresses, a => Assert.NotEqual(0, new Uri(a).Port));
        using var channel = await NameServerLocator.ConnectAsync(addresses[0], TestKeyring.Signer);
        Assert.NotNull(await new NamingClient(channel).PingAsync(new Naming.V1.PingRequest()));
    }
}
