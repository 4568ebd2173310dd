using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// The name server and its holders as real processes: eviction when a holder is killed or frozen,
/// a lease running out, recovery after a name-server restart, the CLI, graceful SIGTERM.
/// </summary>
public sealed class NameServerProcessTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("rm-ns-").FullName;
    private readonly List<ChildProcess> _processes = [];
    private string _address = null!;
    private ChildProcess _nameServer = null!;

    public async Task InitializeAsync() => (_nameServer, _address) = await StartNameServerAsync("http://127.0.0.1:0");

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_holder_that_is_killed_drops_out_within_a_second()
    {
        var holder = await HoldAsync("lab/killed");
        holder.Signal(Posix.SigKill);
        await AssertGoneWithin("lab/killed", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_holder_that_closes_its_stream_drops_out_within_a_second()
    {
        var holder = await HoldAsync("lab/closed");
        holder.Signal(Posix.SigInt);
        var exitCode = await holder.WaitForExitAsync(TimeSpan.FromSeconds(10));
        // 130 is how a program ended by Ctrl+C reports it, as shells expect.
        Assert.True(exitCode is 0 or 130, $"exit code {exitCode}: {holder.StandardError}");
        await AssertGoneWithin("lab/closed", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_frozen_holder_drops_out_within_its_keep_alive_timeout()
    {
        // The name server pings every second and waits a second for the answer (see StartNameServerAsync).
        var holder = await HoldAsync("lab/frozen");
        holder.Signal(Posix.SigStop);
        try
        {
            await AssertGoneWithin("lab/frozen", TimeSpan.FromSeconds(10));
        }
        finally
        {
            holder.Signal(Posix.SigCont);
        }
    }

    [Fact]
    public async Task A_lease_that_is_not_renewed_is_gone_at_its_ttl()
    {
        using var client = new Client(_address);
        await client.Naming.PingAsync();
        var registering = DateTime.UtcNow;
        var stored = await client.Naming.RegisterAsync(new Registration { Name = "lab/leased", Kind = "model" }, TimeSpan.FromSeconds(2));
        Assert.Equal("lab/leased", (await client.Naming.LookupAsync("lab/leased")).Name);
        await AssertGoneWithin("lab/leased", TimeSpan.FromSeconds(4));
        Assert.True(DateTime.UtcNow - registering >= TimeSpan.FromSeconds(1.9), "The registration went before its TTL.");
        Assert.NotEqual(0, stored.LeaseId);
        await Eventually.TrueAsync(() => Task.FromResult(_nameServer.StandardError.Split('\n').Any(l => l.TrimEnd().EndsWith("Unregistered lab/leased (model): lease ran out", StringComparison.Ordinal))),
            "the name server to log the lease's end", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Live_holders_are_back_within_seconds_after_the_name_server_restarts()
    {
        var port = new Uri(_address).Port;
        await using var keeper = new RegistrationKeeper(new Registration { Name = "lab/keeper", Kind = "model", Endpoints = { "http://127.0.0.1:5005" } }, _address).Start();
        await keeper.Registered.WaitAsync(TimeSpan.FromSeconds(10));
        await HoldAsync("lab/cli-holder");

        _nameServer.Signal(Posix.SigKill);
        await _nameServer.WaitForExitAsync(TimeSpan.FromSeconds(10));
        (_nameServer, _) = await StartNameServerAsync($"http://127.0.0.1:{port}");

        await AssertPresentWithin("lab/keeper", TimeSpan.FromSeconds(5));
        await AssertPresentWithin("lab/cli-holder", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_cli_lists_looks_up_and_removes_with_json_for_scripts_and_exit_codes()
    {
        Assert.Equal(0, await RunCliAsync(["register", "lab/stage/x", "http://127.0.0.1:5001", "--meta", "room=B12", "--ttl", "00:00:00"]));
        var (code, output) = await RunCliWithOutputAsync(["list", "lab/", "--json"]);
        Assert.Equal(0, code);
        var listed = Registration.Parser.ParseJson(output.Single(line => line.StartsWith('{')));
        Assert.Equal(("lab/stage/x", "B12"), (listed.Name, listed.Metadata["room"]));

        (code, output) = await RunCliWithOutputAsync(["list"]);
        Assert.Contains(output, line => line.StartsWith("NAME") && line.Contains("ENDPOINTS"));
        Assert.Contains(output, line => line.StartsWith("lab/stage/x") && line.Contains("static") && line.Contains("room=B12"));

        Assert.Equal(1, await RunCliAsync(["lookup", "lab/nobody"]));
        Assert.Equal(0, await RunCliAsync(["remove", "lab/stage/x"]));
        Assert.Equal(1, await RunCliAsync(["remove", "lab/stage/x"]));
        Assert.Equal(0, await RunCliAsync(["ping"]));
    }

    [Fact]
    public async Task The_cli_says_clearly_when_no_name_server_answers()
    {
        await using var cli = Executables.Start(Executables.NameServer, ["ping", "--ns", "http://127.0.0.1:1"]);
        Assert.Equal(3, await cli.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("No name server at http://127.0.0.1:1", cli.StandardError);
        Assert.Contains("start one with", cli.StandardError);
    }

    [Fact]
    public async Task Sigterm_stops_the_name_server_gracefully()
    {
        _nameServer.Signal(Posix.SigTerm);
        Assert.Equal(0, await _nameServer.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("Name server stopped", _nameServer.StandardError);
    }

    private async Task<(ChildProcess Process, string Address)> StartNameServerAsync(string listen)
    {
        var process = Track(Executables.Start(Executables.NameServer,
        [
            "--listen", listen, "--data-dir", _dataDirectory,
            "--Kestrel:Limits:Http2:KeepAlivePingDelay=00:00:01", "--Kestrel:Limits:Http2:KeepAlivePingTimeout=00:00:01",
        ]));
        var address = (await process.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(60))).Split(' ')[0];
        return (process, address);
    }

    private async Task<ChildProcess> HoldAsync(string name)
    {
        var holder = Track(Executables.Start(Executables.NameServer, ["register", name, "http://127.0.0.1:5001", "--hold", "--ns", _address]));
        await holder.WaitForLineAsync("holding", TimeSpan.FromSeconds(60));
        return holder;
    }

    private async Task<int> RunCliAsync(string[] arguments) => (await RunCliWithOutputAsync(arguments)).Code;

    private async Task<(int Code, IReadOnlyCollection<string> Output)> RunCliWithOutputAsync(string[] arguments)
    {
        await using var cli = Executables.Start(Executables.NameServer, [.. arguments, "--ns", _address]);
        var code = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, cli.Lines.ToList());
    }

    private ChildProcess Track(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }

    private async Task AssertGoneWithin(string name, TimeSpan within) =>
        await PollAsync(async client => (await client.ListAsync(new Selector { Prefix = name })).Registrations.All(r => r.Name != name), within, $"'{name}' to drop out");

    private async Task AssertPresentWithin(string name, TimeSpan within) =>
        await PollAsync(async client => (await client.ListAsync(new Selector { Prefix = name })).Registrations.Any(r => r.Name == name), within, $"'{name}' to be registered");

    private async Task PollAsync(Func<NamingClient, Task<bool>> condition, TimeSpan within, string what)
    {
        using var client = new Client(_address);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return await condition(client.Naming);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                return false; // the name server is restarting
            }
        }, what, within);
    }

    private sealed class Client : IDisposable
    {
        private readonly SignedChannel _channel;

        public Client(string address)
        {
            _channel = TestKeyring.Channel(address);
            Naming = new NamingClient(_channel);
        }

        public NamingClient Naming { get; }

        public void Dispose() => _channel.Dispose();
    }
}
