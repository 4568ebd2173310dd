using Grpc.Core;
using RemoteModel.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Controller.Tests;

/// <summary>The client library against a real model server and name server on loopback: typed and dynamic use, and what it prints.</summary>
public sealed class ModelProxyTests : IAsyncLifetime
{
    private LoopbackServers _servers = null!;

    public async Task InitializeAsync() => _servers = await LoopbackServers.StartAsync();

    public async Task DisposeAsync() => await _servers.DisposeAsync();

    [Fact]
    public async Task Connects_by_name_and_queries_every_value_at_one_version()
    {
        using var oven = await ModelProxy.ConnectAsync("oven", options: _servers.Options());

        var state = oven.Query();

        Assert.Equal(_servers.Address, oven.Endpoint);
        Assert.Equal(20.0, state["Setpoint"]);
        Assert.Equal("oven", state["Label"]);
        Assert.Equal(0L, state["Cycles"]);
        Assert.Equal(new List<object?>(), state["Profile"]);
        Assert.Equal($"{{ Cycles = 0, Label = \"oven\", Profile = [], Setpoint = 20 }} @v{state.Version}", state.ToString());
        Assert.Equal($"oven at {_servers.Address}: {state}", oven.ToString());
        Assert.Equal("{ Setpoint = 20 }", oven.Query("Setpoint").ToString().Split(" @")[0]);
    }

    [Fact]
    public async Task Dynamic_properties_query_and_modify_as_the_configured_caller()
    {
        using var proxy = await ModelProxy.ConnectAsync($"name:oven@{_servers.Address}", options: _servers.Options(caller: "alice@lab"));
        dynamic oven = proxy;

        oven.Setpoint = 150.0;
        oven.Label = "bread";

        Assert.Equal(150.0, (double)oven.Setpoint);
        Assert.Equal("bread", (string)oven.Label);
        Assert.Equal(150.0, _servers.Oven.Setpoint);
        var history = proxy.History();
        // The server checks keys as the model server does, so the audit names the test keyring's key after the caller.
        Assert.Equal(["alice@lab [key local]", "alice@lab [key local]"], history.Select(r => r.Caller));
        Assert.Contains("Setpoint = 150", ReadableText.Format(history), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Modify_takes_an_anonymous_object_or_a_dictionary_and_applies_all_or_nothing()
    {
        using var oven = await ModelProxy.ConnectAsync("oven", options: _servers.Options());

        var applied = oven.Modify(new { Setpoint = 100, Label = "pizza" });
        Assert.Equal("{ Label = \"pizza\", Setpoint = 100 }", applied.ToString().Split(" @")[0]);
        oven.Modify(new Dictionary<string, object?> { ["Profile"] = new[] { 1.5, 2.5 } });

        var refused = Assert.Throws<ModelCallException>(() => oven.Modify(new { Label = "burnt", Setpoint = 500 }));

        Assert.Equal(StatusCode.OutOfRange, refused.StatusCode);
        Assert.Equal("oven refused Modify { Label = \"burnt\", Setpoint = 500 }: property 'Setpoint': 500 is outside 0..300 C (OUT_OF_RANGE)", refused.Message);
        Assert.Equal(refused.Message, ReadableText.Error(refused));
        Assert.Equal("pizza", _servers.Oven.Label);
        Assert.Equal([1.5, 2.5], _servers.Oven.Profile);
    }

    [Fact]
    public async Task Operations_take_positional_named_and_dynamic_arguments_and_return_their_result()
    {
        using var proxy = await ModelProxy.ConnectAsync("oven", options: _servers.Options());
        dynamic oven = proxy;

        var positional = proxy.Invoke("Ramp", 120.0);
        var named = proxy.Invoke("Ramp", new { target = 100.0, minutes = 1 });
        InvokeResult dynamicNamed = oven.Ramp(target: 130.0, minutes: 2);
        InvokeResult nothing = oven.Clear();

        Assert.Equal(100.0, positional.Value);
        Assert.Equal(-20.0, named.Value);
        Assert.Equal(30.0, dynamicNamed.Value);
        Assert.Equal($"Ramp: 30 @v{dynamicNamed.Version}", dynamicNamed.ToString());
        Assert.Null(nothing.Value);
        Assert.Equal($"Clear: done @v{nothing.Version}", nothing.ToString());
        Assert.Equal(0L, (long)oven.Cycles);
        Assert.Equal("oven.Clear takes no arguments; 1 given.", Assert.Throws<ArgumentException>(() => proxy.Invoke("Clear", 1)).Message);
        Assert.Equal("oven.Ramp takes 2 (target, minutes); 3 given.", Assert.Throws<ArgumentException>(() => proxy.Invoke("Ramp", 1, 2, 3)).Message);
        var unknown = Assert.Throws<ModelCallException>(() => proxy.Invoke("Bake", 1));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("has no operation 'Bake'; it has: Ramp, Clear", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_reads_as_a_schema_with_units_ranges_and_signatures()
    {
        using var oven = await ModelProxy.ConnectAsync("oven", options: _servers.Options());

        var text = ReadableText.Format(oven.Describe()).Split('\n').Select(l => l.TrimEnd()).ToList();

        Assert.StartsWith("oven: RemoteModel.Controller.Tests.Oven at v", text[0], StringComparison.Ordinal);
        Assert.Equal("  A test oven", text[1]);
        Assert.Contains(text, l => l.StartsWith("Setpoint  DOUBLE", StringComparison.Ordinal) && l.Contains("C     0..300  writable   Where the oven is heading", StringComparison.Ordinal));
        Assert.Contains(text, l => l.StartsWith("Cycles", StringComparison.Ordinal) && l.Contains("INT", StringComparison.Ordinal) && l.Contains("read-only", StringComparison.Ordinal));
        Assert.Contains(text, l => l.StartsWith("Profile", StringComparison.Ordinal) && l.Contains("LIST<DOUBLE>", StringComparison.Ordinal));
        Assert.Contains(text, l => l.StartsWith("Ramp(target: DOUBLE C 0..300, minutes: INT = 5)  DOUBLE", StringComparison.Ordinal));
        Assert.Contains(text, l => l.StartsWith("Clear()", StringComparison.Ordinal) && l.Contains("Back to the start", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Names_and_viewers_print_as_tables()
    {
        using var names = new NameDirectory(_servers.Options());
        using var oven = await ModelProxy.ConnectAsync(_servers.Address, "oven", _servers.Options());
        using var viewing = new CancellationTokenSource();
        using var channel = TestKeyring.Channel(_servers.Address);
        using var subscription = new ModelClient(channel).Subscribe(
            new Models.V1.SubscribeRequest { Model = "oven", ViewerName = "wall" }, new CallOptions(cancellationToken: viewing.Token));
        await using var notifications = subscription.ResponseStream.ReadAllAsync(viewing.Token).GetAsyncEnumerator();
        Assert.True(await notifications.MoveNextAsync());

        var registrations = ReadableText.Format(names.List()).Split('\n');
        var one = ReadableText.Format(names.Lookup("oven"));
        var viewers = ReadableText.Format(oven.Viewers()).Split('\n');

        Assert.Equal([$"NAME  KIND   {"ENDPOINTS".PadRight(_servers.Address.Length)}  METADATA", $"oven  model  {_servers.Address}"], registrations);
        Assert.Equal(registrations, one.Split('\n'));
        Assert.Equal("(no registrations)", ReadableText.Format(names.List("nothing/")));
        Assert.StartsWith("VIEWER  PEER", viewers[0], StringComparison.Ordinal);
        Assert.StartsWith("wall    ipv4:127.0.0.1:", viewers[1], StringComparison.Ordinal);
        Assert.EndsWith("EVERY_CHANGE  1     0", viewers[1].TrimEnd(), StringComparison.Ordinal);
        await viewing.CancelAsync();
    }

    [Fact]
    public async Task Failures_to_find_a_model_say_where_they_looked()
    {
        var unregistered = await Assert.ThrowsAsync<ModelCallException>(() => ModelProxy.ConnectAsync("freezer", options: _servers.Options()));
        Assert.Equal($"freezer: lookup at {_servers.Address} failed: No registration named 'freezer'. (NOT_FOUND)", unregistered.Message);

        var notHosted = await Assert.ThrowsAsync<ModelCallException>(() => ModelProxy.ConnectAsync(_servers.Address, "freezer", _servers.Options()));
        Assert.StartsWith("freezer refused Describe: ", notHosted.Message, StringComparison.Ordinal);
        Assert.EndsWith("(NOT_FOUND)", notHosted.Message, StringComparison.Ordinal);

        var direct = Assert.Throws<ArgumentException>(() => ModelProxy.Connect(_servers.Address));
        Assert.Contains("is a direct address: name the model too", direct.Message, StringComparison.Ordinal);

        var noNameServer = await Assert.ThrowsAsync<NameServerUnreachableException>(() => ModelProxy.ConnectAsync("oven", options: new ClientOptions { NameServer = "http://127.0.0.1:1" }));
        Assert.StartsWith("No name server at http://127.0.0.1:1", ReadableText.Error(noNameServer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ambient_cancellation_cancels_calls()
    {
        using var cancelled = new CancellationTokenSource();
        using var oven = await ModelProxy.ConnectAsync("oven", options: _servers.Options(cancellation: () => cancelled.Token));
        await cancelled.CancelAsync();

        var exception = Assert.ThrowsAny<OperationCanceledException>(() => oven.Query());

        Assert.Equal("cancelled", ReadableText.Error(exception));
    }

    [Fact]
    public async Task A_proxy_by_name_looks_its_model_up_again_after_its_server_went_away()
    {
        var first = await LoopbackServers.StartAsync();
        await _servers.RegisterAsync("oven", first.Address);
        using var oven = await ModelProxy.ConnectAsync("oven", options: _servers.Options());
        Assert.Equal(first.Address, oven.Endpoint);

        await first.DisposeAsync();
        await _servers.RegisterAsync("oven", _servers.Address);
        var lost = Assert.Throws<ModelCallException>(() => oven.Query());

        Assert.Equal(StatusCode.Unavailable, lost.StatusCode);
        Assert.StartsWith("oven: Query failed: ", lost.Message, StringComparison.Ordinal);
        Assert.Equal(20.0, oven.Query()["Setpoint"]);
        Assert.Equal(_servers.Address, oven.Endpoint);
    }

    [Theory]
    [InlineData(null, "null")]
    [InlineData("text", "\"text\"")]
    [InlineData(1.5, "1.5")]
    [InlineData(42L, "42")]
    [InlineData(true, "true")]
    public void Values_print_as_the_viewer_prints_them(object? value, string expected) =>
        Assert.Equal(expected, ReadableText.Format(value));

    [Fact]
    public void Collections_and_errors_print_in_one_line()
    {
        Assert.Equal("[1, 2.5, \"x\"]", ReadableText.Format(new object[] { 1, 2.5, "x" }));
        Assert.Equal("{ a = 1, b = [true] }", ReadableText.Format(new Dictionary<string, object> { ["a"] = 1, ["b"] = new[] { true } }));
        Assert.Equal("[System.Object]", ReadableText.Format(new[] { new object() }));
        Assert.Equal("model 'x' is gone (UNAVAILABLE)", ReadableText.Error(new RpcException(new Status(StatusCode.Unavailable, "model 'x' is gone"))));
        Assert.Equal("InvalidOperationException: two lines", ReadableText.Error(new AggregateException(new InvalidOperationException("two\nlines"))));
    }
}
