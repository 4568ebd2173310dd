using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>
/// The model server executable as a real process, with a real name server: models loaded from an
/// assembly by type name, two instances of one class driven at once, registrations held while it
/// runs and gone when it stops or dies, viewers listed in the registry while they are connected.
/// </summary>
public sealed class ModelServerProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = ProcessTestBed.StartTimeout;

    private ProcessTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ProcessTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Two_tickers_from_one_class_are_registered_and_driven_at_once()
    {
        var (_, address) = await StartModelServerAsync("ticker/1", "ticker/2");

        var first = await _bed.Naming.LookupAsync("ticker/1");
        var second = await _bed.Naming.LookupAsync("ticker/2");
        Assert.Equal("model", first.Kind);
        Assert.Equal("RemoteModel.Examples.Ticker.TickerModel", first.Metadata["type"]);
        Assert.Equal([address], first.Endpoints);
        Assert.Equal(first.Endpoints, second.Endpoints);

        var models = new ModelClient(Channel(first.Endpoints[0]));
        await Task.WhenAll(
            models.ModifyAsync("ticker/1", new Dictionary<string, object?> { ["Symbol"] = "AAA", ["Rate"] = 50.0 }),
            models.ModifyAsync("ticker/2", new Dictionary<string, object?> { ["Symbol"] = "BBB" }));

        var one = await models.QueryAsync("ticker/1", ["Symbol", "Rate"]);
        var two = await models.QueryAsync("ticker/2", ["Symbol", "Rate"]);
        Assert.Equal("AAA", one.Values["Symbol"].StringValue);
        Assert.Equal(50.0, one.Values["Rate"].DoubleValue);
        Assert.Equal("BBB", two.Values["Symbol"].StringValue);
        Assert.Equal(1.0, two.Values["Rate"].DoubleValue);

        var description = await models.DescribeAsync("ticker/1");
        var rate = Assert.Single(description.Properties, p => p.Name == "Rate");
        Assert.Equal("Hz", rate.Unit);
        Assert.Contains(description.Operations, o => o.Name == "Reset");
    }

    [Fact]
    public async Task A_viewer_is_in_the_registry_while_connected_and_gone_when_it_disconnects()
    {
        var (_, address) = await StartModelServerAsync("ticker");
        var models = new ModelClient(Channel(address));
        using var viewing = new CancellationTokenSource();
        using var call = models.Subscribe(new SubscribeRequest { Model = "ticker", ViewerName = "wall-screen" }, new CallOptions(cancellationToken: viewing.Token));
        await using var notifications = call.ResponseStream.ReadAllAsync(viewing.Token).GetAsyncEnumerator();
        Assert.True(await notifications.MoveNextAsync());
        Assert.Equal(Notification.Types.Kind.Snapshot, notifications.Current.Kind);

        await Eventually.TrueAsync(async () => (await _bed.Naming.ListAsync(new Selector { Kind = "viewer" })).Registrations.Any(r => r.Name == "ticker/viewers/wall-screen"),
            "the viewer to be registered");
        var registered = await _bed.Naming.LookupAsync("ticker/viewers/wall-screen");
        Assert.Equal("ticker", registered.Metadata["model"]);

        await viewing.CancelAsync();
        await Eventually.TrueAsync(async () => (await _bed.Naming.ListAsync(new Selector { Kind = "viewer" })).Registrations.Count == 0, "the viewer to drop out");
        await Eventually.TrueAsync(async () => (await models.ListViewersAsync("ticker")).Count == 0, "the viewer to leave ListViewers");
    }

    [Fact]
    public async Task Sigterm_unregisters_and_stops_gracefully()
    {
        var (server, _) = await StartModelServerAsync("ticker");
        Assert.Equal("ticker", (await _bed.Naming.LookupAsync("ticker")).Name);

        server.Signal(Posix.SigTerm);

        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Empty((await _bed.Naming.ListAsync(new Selector { Prefix = "ticker" })).Registrations);
        Assert.Contains("Model server stopped", server.StandardError);
    }

    [Fact]
    public async Task A_killed_model_server_drops_out_of_the_registry()
    {
        var (server, _) = await StartModelServerAsync("ticker");
        server.Signal(Posix.SigKill);
        await Eventually.TrueAsync(async () => (await _bed.Naming.ListAsync(new Selector { Prefix = "ticker" })).Registrations.Count == 0, "the killed server's model to drop out");
    }

    [Fact]
    public async Task An_unknown_model_class_is_refused_with_the_classes_there_are()
    {
        await using var server = Executables.Start(Executables.ModelServer,
            ["--model", "x=No.Such.Model", "--assembly", Executables.TickerAssembly, "--ns", _bed.NameServer]);
        Assert.Equal(1, await server.WaitForExitAsync(StartTimeout));
        Assert.Contains("No model class 'No.Such.Model'", server.StandardError);
        Assert.Contains("RemoteModel.Examples.Ticker.TickerModel", server.StandardError);
    }

    [Fact]
    public async Task The_viewer_prints_changes_with_who_made_them_and_drops_out_when_killed()
    {
        var (_, address) = await StartModelServerAsync("ticker");
        var viewer = StartViewer("ticker", "--name", "console-1");
        Assert.Contains("as console-1", await viewer.WaitForLineAsync("connected to ticker", StartTimeout), StringComparison.Ordinal);
        await AssertRegisteredAsync("ticker/viewers/console-1");

        var models = new ModelClient(Channel(address));
        await models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "ACME" },
            options: new CallOptions(headers: new Metadata { { "remotemodel-caller", "alice" } }));
        var line = await viewer.WaitForLineAsync("", TimeSpan.FromSeconds(10), l => l.Contains("Symbol=\"ACME\"", StringComparison.Ordinal));
        Assert.Contains("CHANGE", line, StringComparison.Ordinal);
        Assert.Contains("by alice [key local] (modify)", line, StringComparison.Ordinal);

        viewer.Signal(Posix.SigKill);
        await Eventually.TrueAsync(async () => (await _bed.Naming.ListAsync(new Selector { Kind = "viewer" })).Registrations.Count == 0, "the killed viewer to drop out");
        await Eventually.TrueAsync(async () => (await models.ListViewersAsync("ticker")).Count == 0, "the killed viewer to leave ListViewers");
    }

    [Fact]
    public async Task The_viewer_follows_the_model_across_a_model_server_restart_and_stops_cleanly_on_sigterm()
    {
        var (server, _) = await StartModelServerAsync("ticker");
        var viewer = StartViewer("ticker", "--name", "follower");
        await viewer.WaitForLineAsync("connected to ticker", StartTimeout);

        server.Signal(Posix.SigKill);
        await viewer.WaitForLineAsync("lost ticker", TimeSpan.FromSeconds(15));
        await StartModelServerAsync("ticker");
        Assert.Contains("the model server restarted (epoch ", await viewer.WaitForLineAsync("reconnected to ticker", TimeSpan.FromSeconds(30)), StringComparison.Ordinal);
        await AssertRegisteredAsync("ticker/viewers/follower");

        viewer.Signal(Posix.SigTerm);
        Assert.Equal(0, await viewer.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await Eventually.TrueAsync(async () => (await _bed.Naming.ListAsync(new Selector { Kind = "viewer" })).Registrations.Count == 0, "the stopped viewer to drop out");
    }

    [Fact]
    public async Task With_authentication_off_everywhere_the_model_and_its_viewers_register_unsigned_though_a_keyring_is_at_hand()
    {
        await using var open = await ProcessTestBed.StartAsync(authentication: false);
        var (_, address) = await open.StartTickersAsync("ticker");
        Assert.Equal([address], (await open.Naming.LookupAsync("ticker")).Endpoints);

        var viewer = open.Track(Executables.Start(Executables.Viewer, ["ticker", "--name", "open-1", "--ns", open.NameServer], new Dictionary<string, string> { ["REMOTEMODEL_Auth__Enabled"] = "false" }));
        await viewer.WaitForLineAsync("connected to ticker", StartTimeout);
        await Eventually.TrueAsync(async () => (await open.Naming.ListAsync(new Selector { Kind = "viewer" })).Registrations.Any(r => r.Name == "ticker/viewers/open-1"), "the viewer to be registered");

        await new ModelClient(open.Channel(address)).ModifyAsync("ticker", new Dictionary<string, object?> { ["Symbol"] = "OPEN" });
        await viewer.WaitForLineAsync("", TimeSpan.FromSeconds(10), l => l.Contains("Symbol=\"OPEN\"", StringComparison.Ordinal));
    }

    [PeerFact(Peer.PythonGrpc)]
    public async Task The_python_example_finds_describes_follows_and_changes_the_ticker_with_a_signed_verified_modify()
    {
        // As its docstring tells a user: generate the stubs, then run it with a key in the environment.
        var stubs = Directory.CreateDirectory(Path.Combine(_bed.Directory, "gen")).FullName;
        await using (var protoc = ChildProcess.Start(OutsidePeers.Python,
            ["-m", "grpc_tools.protoc", "-I", RepositoryPaths.Combine("protos"), $"--python_out={stubs}", $"--grpc_python_out={stubs}",
             RepositoryPaths.Combine("protos", "remotemodel", "v1", "naming.proto"), RepositoryPaths.Combine("protos", "remotemodel", "v1", "model.proto")]))
        {
            Assert.Equal(0, await protoc.WaitForExitAsync(StartTimeout));
        }

        var lines = await RunExampleAgainstTheTickerAsync(OutsidePeers.Python, ["examples", "python", "ticker_client.py"], 7.0, "7.0", new() { ["PYTHONPATH"] = stubs });

        // It reads its change back from the subscription after the Modify answered, and stops there.
        Assert.Matches(@$"^CHANGE v\d+ Rate=7\.0 by \S+@\S+ \[key {TestKeyring.Current.SigningKey()!.Id}\] \(modify\)$", lines[^1]);
    }

    [PeerFact(Peer.NodeGrpc)]
    public async Task The_javascript_example_finds_describes_follows_and_changes_the_ticker_with_a_signed_verified_modify()
    {
        await RunExampleAgainstTheTickerAsync("node", ["examples", "node", "ticker_client.js"], 7.5, "7.5", []);
    }

    /// <summary>
    /// Runs an example client (<paramref name="script"/>, under the repository) against a real ticker with
    /// the test key in <c>REMOTEMODEL_KEY</c> and checks what it printed and did; returns its lines.
    /// </summary>
    private async Task<List<string>> RunExampleAgainstTheTickerAsync(
        string interpreter, string[] script, double rate, string shownRate, Dictionary<string, string> environment)
    {
        var (_, address) = await StartModelServerAsync("ticker");
        var key = TestKeyring.Current.SigningKey()!;
        environment["REMOTEMODEL_KEY"] = $"{key.Id}:{KeyringFile.EncodeSecret(key)}";
        var example = _bed.Track(ChildProcess.Start(interpreter,
            [RepositoryPaths.Combine(script), "--ns", _bed.NameServer, "--rate", shownRate], environment: environment));
        Assert.True(await example.WaitForExitAsync(StartTimeout) == 0, example.StandardError);

        var lines = example.Lines.ToList();
        var escapedRate = System.Text.RegularExpressions.Regex.Escape(shownRate);
        Assert.Equal($"found ticker (RemoteModel.Examples.Ticker.TickerModel) at {address}", lines[0]);
        Assert.Contains("property Rate [Hz]", lines);
        Assert.Contains("property Price [USD] read-only", lines);
        Assert.Single(lines, l => l.StartsWith("SNAPSHOT v", StringComparison.Ordinal));
        var modified = Assert.Single(lines, l => l.StartsWith($"modified Rate={shownRate} at v", StringComparison.Ordinal));
        Assert.EndsWith($"(answer verified with key {key.Id})", modified, StringComparison.Ordinal);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @$"^CHANGE v\d+ Rate={escapedRate} by \S+@\S+ \[key {key.Id}\] \(modify\)$"));
        Assert.Equal(rate, (await new ModelClient(Channel(address)).QueryAsync("ticker", ["Rate"])).Values["Rate"].DoubleValue);
        Assert.Empty(example.StandardError.Trim());
        return lines;
    }

    private ChildProcess StartViewer(params string[] arguments) =>
        _bed.Track(Executables.Start(Executables.Viewer, [.. arguments, "--ns", _bed.NameServer]));

    private Task AssertRegisteredAsync(string name) =>
        Eventually.TrueAsync(async () => (await _bed.Naming.ListAsync(new Selector { Prefix = name })).Registrations.Any(r => r.Name == name), $"{name} to be registered");

    private Task<(ChildProcess Process, string Address)> StartModelServerAsync(params string[] names) => _bed.StartTickersAsync(names);

    private SignedChannel Channel(string address) => _bed.Channel(address);
}
