using System.Net;
using RemoteModel.Testing;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// RemoteModel across machines: each host a network namespace of its own on one virtual switch
/// (<see cref="VirtualNetwork"/>, addresses from 192.0.2.0/24), the executables as real processes
/// on them, configured as a lab would configure them (fixed ports, <c>0.0.0.0</c>). What the test
/// sees, it sees through the processes' output: it is on none of the hosts' networks itself.
/// </summary>
[RequiresPeers(Peer.NetworkNamespaces)]
public sealed class MultiHostTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = ProcessTestBed.StartTimeout;
    private static readonly TimeSpan SeenTimeout = TimeSpan.FromSeconds(30);
    private const string Ticker = "RemoteModel.Examples.Ticker.TickerModel";

    private readonly string _directory = Directory.CreateTempSubdirectory("rm-hosts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [PeerFact]
    public async Task A_viewer_on_a_third_host_finds_the_ticker_by_name_shows_a_controllers_change_and_sees_its_server_killed()
    {
        await using var network = await VirtualNetwork.CreateAsync("192.0.2.11", "192.0.2.12", "192.0.2.13");
        var (nsHost, serverHost, clientHost) = (network.Hosts[0], network.Hosts[1], network.Hosts[2]);

        var nameServer = nsHost.Start(Executables.NameServer, ["--listen", "http://0.0.0.0:9090", "--data-dir", Path.Combine(_directory, "ns")]);
        Assert.Equal("http://192.0.2.11:9090", await nameServer.WaitForLineAsync("LISTENING", StartTimeout));
        const string Ns = "http://192.0.2.11:9090";

        var server = serverHost.Start(Executables.ModelServer, ["--listen", "http://0.0.0.0:9191", "--ns", Ns, "--model", $"ticker={Ticker}", "--assembly", Executables.TickerAssembly]);
        Assert.Equal("http://192.0.2.12:9191", await server.WaitForLineAsync("LISTENING", StartTimeout));
        await LoggedAsync(nameServer, "Registered ticker (model) at http://192.0.2.12:9191, lease");

        // A server left on its default loopback address registers what nobody elsewhere can reach: warned.
        var hidden = serverHost.Start(Executables.ModelServer, ["--ns", Ns, "--model", $"hidden={Ticker}", "--assembly", Executables.TickerAssembly]);
        var hiddenAt = await hidden.WaitForLineAsync("LISTENING", StartTimeout);
        await LoggedAsync(nameServer, $"hidden was registered from ipv4:192.0.2.12:");
        Assert.Contains($"another host, at {hiddenAt} only", nameServer.StandardError, StringComparison.Ordinal);

        var viewer = clientHost.Start(Executables.Viewer, ["ticker", "--ns", Ns, "--name", "wall", "--lines"]);
        Assert.Contains("at http://192.0.2.12:9191 as wall", await viewer.WaitForLineAsync("connected to ticker", StartTimeout), StringComparison.Ordinal);

        var controller = await clientHost.RunAsync(Executables.Controller,
            ["--ns", Ns, "--no-history", "--Controller:Caller=alice@client", "-e", "Connect(\"ticker\").Modify(new { Symbol = \"ACME\" })"], StartTimeout);
        Assert.True(controller.ExitCode == 0, $"controller: {controller.Output}\n{controller.Error}");
        var change = await viewer.WaitForLineAsync("", SeenTimeout, l => l.Contains("Symbol=\"ACME\"", StringComparison.Ordinal));
        Assert.Contains("by alice@client", change, StringComparison.Ordinal);

        server.Signal(Posix.SigKill);
        Assert.Contains("reconnecting", await viewer.WaitForLineAsync("lost ticker", SeenTimeout), StringComparison.Ordinal);
        await LoggedAsync(nameServer, "Unregistered ticker (model): holder disconnected");
    }

    [PeerFact]
    public async Task Between_hosts_over_tls_with_a_test_authority_the_viewer_follows_the_ticker()
    {
        await using var network = await VirtualNetwork.CreateAsync("192.0.2.21", "192.0.2.22", "192.0.2.23");
        var (nsHost, serverHost, clientHost) = (network.Hosts[0], network.Hosts[1], network.Hosts[2]);
        var (caPath, authority) = TestCertificates.WriteAuthority(_directory);
        using var _ = authority;
        var (nsCertificate, nsKey) = TestCertificates.WriteIssued(_directory, "ns", authority, IPAddress.Parse(nsHost.Address));
        var (serverCertificate, serverKey) = TestCertificates.WriteIssued(_directory, "server", authority, IPAddress.Parse(serverHost.Address));

        // Every client trusts the test authority alone, as a lab's machines would trust its own.
        var trust = new Dictionary<string, string> { ["SSL_CERT_FILE"] = caPath, ["SSL_CERT_DIR"] = _directory };
        var nameServer = nsHost.Start(Executables.NameServer,
            ["--listen", "https://0.0.0.0:9443", $"--Tls:CertificatePath={nsCertificate}", $"--Tls:KeyPath={nsKey}", "--data-dir", Path.Combine(_directory, "ns")], trust);
        const string Ns = "https://192.0.2.21:9443";
        Assert.Equal(Ns, await nameServer.WaitForLineAsync("LISTENING", StartTimeout));

        var server = serverHost.Start(Executables.ModelServer,
            ["--listen", "https://0.0.0.0:9443", $"--Tls:CertificatePath={serverCertificate}", $"--Tls:KeyPath={serverKey}", "--ns", Ns, "--model", $"ticker={Ticker}", "--assembly", Executables.TickerAssembly], trust);
        Assert.Equal("https://192.0.2.22:9443", await server.WaitForLineAsync("LISTENING", StartTimeout));
        await LoggedAsync(nameServer, "Registered ticker (model) at https://192.0.2.22:9443, lease");

        var viewer = clientHost.Start(Executables.Viewer, ["ticker", "--ns", Ns, "--name", "secure-wall", "--lines"], trust);
        Assert.Contains("at https://192.0.2.22:9443", await viewer.WaitForLineAsync("connected to ticker", StartTimeout), StringComparison.Ordinal);
        var controller = await clientHost.RunAsync(Executables.Controller,
            ["--ns", Ns, "--no-history", "-e", "Connect(\"ticker\").Modify(new { Symbol = \"TLS\" })"], StartTimeout, trust);
        Assert.True(controller.ExitCode == 0, $"controller: {controller.Output}\n{controller.Error}");
        await viewer.WaitForLineAsync("", SeenTimeout, l => l.Contains("Symbol=\"TLS\"", StringComparison.Ordinal));

        // Without the authority the same client is refused: the certificates were checked.
        var untrusting = await clientHost.RunAsync(Executables.Controller,
            ["--ns", Ns, "--no-history", "-e", "Connect(\"ticker\").Query(\"Symbol\")"], StartTimeout, new Dictionary<string, string> { ["SSL_CERT_FILE"] = "/dev/null", ["SSL_CERT_DIR"] = "/nonexistent" });
        Assert.NotEqual(0, untrusting.ExitCode);
        Assert.Contains("certificate", untrusting.Output + untrusting.Error, StringComparison.OrdinalIgnoreCase);
    }

    [PeerFact(Peer.Etcd)]
    public async Task Two_name_servers_over_a_three_member_etcd_cluster_lose_one_and_the_viewer_notices_at_most_a_reconnect()
    {
        await using var network = await VirtualNetwork.CreateAsync("192.0.2.31", "192.0.2.32", "192.0.2.33", "192.0.2.34");
        var (nsA, nsB, serverHost, clientHost) = (network.Hosts[0], network.Hosts[1], network.Hosts[2], network.Hosts[3]);
        var etcdHosts = new[] { nsA, nsB, serverHost };
        var cluster = string.Join(',', etcdHosts.Select((h, i) => $"m{i}=http://{h.Address}:2380"));
        var token = $"rm-hosts-{Guid.NewGuid():N}";
        for (var i = 0; i < etcdHosts.Length; i++)
        {
            var address = etcdHosts[i].Address;
            etcdHosts[i].StartProgram(OutsidePeers.FindOnPath("etcd")!,
            [
                "--name", $"m{i}", "--data-dir", Path.Combine(_directory, $"etcd{i}"),
                "--listen-client-urls", $"http://{address}:2379", "--advertise-client-urls", $"http://{address}:2379",
                "--listen-peer-urls", $"http://{address}:2380", "--initial-advertise-peer-urls", $"http://{address}:2380",
                "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", token,
                "--logger", "zap", "--log-outputs", "stderr", "--log-level", "warn",
            ]);
        }

        string[] etcdEndpoints = [.. etcdHosts.Select((h, i) => $"--Etcd:Endpoints:{i}=http://{h.Address}:2379")];
        var first = nsA.Start(Executables.NameServer, ["--listen", "http://0.0.0.0:9090", "--store", "etcd", .. etcdEndpoints]);
        var second = nsB.Start(Executables.NameServer, ["--listen", "http://0.0.0.0:9090", "--store", "etcd", .. etcdEndpoints]);
        Assert.Equal("http://192.0.2.31:9090", await first.WaitForLineAsync("LISTENING", StartTimeout));
        Assert.Equal("http://192.0.2.32:9090", await second.WaitForLineAsync("LISTENING", StartTimeout));
        const string BothNs = "http://192.0.2.31:9090,http://192.0.2.32:9090";

        var server = serverHost.Start(Executables.ModelServer, ["--listen", "http://0.0.0.0:9191", "--ns", BothNs, "--model", $"ticker={Ticker}", "--assembly", Executables.TickerAssembly]);
        await server.WaitForLineAsync("LISTENING", StartTimeout);
        await LoggedAsync(first, "Registered ticker (model) at http://192.0.2.33:9191, lease", StartTimeout);

        var viewer = clientHost.Start(Executables.Viewer, ["ticker", "--ns", BothNs, "--name", "wall", "--lines"]);
        await viewer.WaitForLineAsync("connected to ticker", StartTimeout);
        await ModifyAsync(clientHost, BothNs, "BEFORE");
        await viewer.WaitForLineAsync("", SeenTimeout, l => l.Contains("Symbol=\"BEFORE\"", StringComparison.Ordinal));

        // The first name server's host process dies; the model server holds its names through the second.
        first.Signal(Posix.SigKill);
        await LoggedAsync(second, "Registered ticker (model) at http://192.0.2.33:9191, lease", SeenTimeout);
        await ModifyAsync(clientHost, BothNs, "AFTER");
        await viewer.WaitForLineAsync("", SeenTimeout, l => l.Contains("Symbol=\"AFTER\"", StringComparison.Ordinal));

        Assert.False(viewer.HasExited);
        var lost = viewer.Lines.Count(l => l.StartsWith("lost ticker", StringComparison.Ordinal));
        Assert.True(lost <= 1, $"the viewer lost the ticker {lost} times:\n{string.Join('\n', viewer.Lines)}");
        Assert.Equal(lost, viewer.Lines.Count(l => l.StartsWith("reconnected to ticker", StringComparison.Ordinal)));
    }

    private static async Task ModifyAsync(VirtualHost host, string nameServers, string symbol)
    {
        var controller = await host.RunAsync(Executables.Controller,
            ["--ns", nameServers, "--no-history", "-e", $"Connect(\"ticker\").Modify(new {{ Symbol = \"{symbol}\" }})"], StartTimeout);
        Assert.True(controller.ExitCode == 0, $"controller: {controller.Output}\n{controller.Error}");
    }

    /// <summary>Waits for a server's log (its standard error) to say <paramref name="text"/>.</summary>
    private static Task LoggedAsync(ChildProcess server, string text, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => Task.FromResult(server.StandardError.Contains(text, StringComparison.Ordinal)),
            $"the log to say '{text}'", timeout ?? SeenTimeout);
}
