using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using ValueType = RemoteModel.Models.V1.ValueType;

namespace RemoteModel.Models.Tests;

/// <summary>Describe, query, modify, invoke, lifecycle and audit over gRPC on loopback.</summary>
public sealed class ModelServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Stage _stage = new();
    private readonly Oven _oven = new();
    private ModelTestServer _server = null!;
    private ModelClient _client = null!;
    private CallOptions _alice;

    public async Task InitializeAsync()
    {
        _server = await ModelTestServer.StartAsync(_clock, host: registry =>
        {
            registry.Add("lab/stage", _stage);
            registry.Add("lab/oven", _oven);
        });
        _client = _server.Client(out _alice);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task<RpcException> Refused(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    private Task<ModifyResponse> Modify(params (string Name, object? Value)[] values) =>
        _client.ModifyAsync("lab/stage", values.ToDictionary(v => v.Name, v => v.Value), options: _alice);

    [Fact]
    public async Task Describe_publishes_types_units_ranges_read_only_operations_and_streams()
    {
        var stage = await _client.DescribeAsync("lab/stage");
        Assert.Equal("A linear stage", stage.Description);
        Assert.EndsWith("Stage", stage.TypeName);
        var properties = stage.Properties.ToDictionary(p => p.Name);
        Assert.DoesNotContain("Hidden", properties.Keys);

        var position = properties["Position"];
        Assert.Equal((ValueType.Double, "mm", false, 0.0, 100.0, "Where the carriage is"),
            (position.Type.Type, position.Unit, position.ReadOnly, position.Minimum.DoubleValue, position.Maximum.DoubleValue, position.Description));
        Assert.Equal((ValueType.Int, 1L, 10L), (properties["Speed"].Type.Type, properties["Speed"].Minimum.IntValue, properties["Speed"].Maximum.IntValue));
        Assert.True(properties["AtHome"].ReadOnly);
        Assert.True(properties["Moves"].ReadOnly);
        Assert.Equal(["Slow", "Fast"], properties["Mode"].Type.EnumMembers);
        Assert.Equal((ValueType.List, ValueType.Double), (properties["Waypoints"].Type.Type, properties["Waypoints"].Type.Element.Type));
        Assert.Equal((ValueType.Map, ValueType.Int), (properties["Counters"].Type.Type, properties["Counters"].Type.Element.Type));
        Assert.Equal(ValueType.Duration, properties["Dwell"].Type.Type);
        Assert.Equal((ValueType.Timestamp, true), (properties["LastMoved"].Type.Type, properties["LastMoved"].Type.Nullable));
        Assert.Equal(ValueType.Bytes, properties["Blob"].Type.Type);
        Assert.Equal((ValueType.String, true, false), (properties["Payload"].Type.Type, properties["Payload"].Type.Nullable, properties["Label"].Type.Nullable));
        Assert.Null(stage.Lifecycle);

        var move = stage.Operations.Single(o => o.Name == "MoveTo");
        Assert.Equal("Move to a position", move.Description);
        Assert.Equal(ValueType.Double, move.Result.Type);
        Assert.Equal(["target", "speed"], move.Parameters.Select(p => p.Name));
        Assert.Equal(("mm", 100.0), (move.Parameters[0].Unit, move.Parameters[0].Maximum.DoubleValue));
        Assert.Null(move.Parameters[0].DefaultValue);
        Assert.Equal(5, move.Parameters[1].DefaultValue.IntValue);
        Assert.Null(stage.Operations.Single(o => o.Name == "Fail").Result);

        var oven = await _client.DescribeAsync("lab/oven");
        Assert.Equal(LifecycleState.Uninitialized, oven.Lifecycle.State);
        Assert.Equal(["init"], oven.Lifecycle.AllowedOperations);
        var setpoint = oven.Lifecycle.Configuration.Single(c => c.Name == "Setpoint");
        Assert.Equal(("degC", 100.0, 300.0), (setpoint.Unit, setpoint.DefaultValue.DoubleValue, setpoint.Maximum.DoubleValue));
        Assert.Equal(["init", "configure", "invalidate", "deinit", "Start"], oven.Operations.Select(o => o.Name));
        Assert.Equal([LifecycleState.Configured], oven.Operations.Single(o => o.Name == "Start").AllowedIn);
        var temps = Assert.Single(oven.Streams);
        Assert.Equal(("temps", false, 50.0), (temps.Name, temps.Enabled, temps.MaxRateHz));
        Assert.Equal(["Temperature", "Setpoint"], temps.Properties);
    }

    [Fact]
    public async Task Query_gives_all_or_chosen_values_with_the_version()
    {
        var all = await _client.QueryAsync("lab/stage");
        Assert.Equal(0, all.Version);
        Assert.Equal(5, all.Values["Speed"].IntValue);
        Assert.Equal("stage", all.Values["Label"].StringValue);
        Assert.Equal(Value.KindOneofCase.None, all.Values["LastMoved"].KindCase);
        Assert.Equal(15, all.Values.Count);

        var chosen = await _client.QueryAsync("lab/stage", ["Speed", "Mode"]);
        Assert.Equal(["Mode", "Speed"], chosen.Values.Keys.Order());
        Assert.Equal("Slow", chosen.Values["Mode"].EnumValue);

        var unknown = await Refused(() => _client.QueryAsync("lab/stage", ["Nope"]));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no property 'Nope'", unknown.Status.Detail);
    }

    [Fact]
    public async Task Modify_sets_several_properties_atomically_in_one_version()
    {
        var response = await Modify(("Position", 12), ("Speed", 7), ("Mode", Mode.Fast), ("Waypoints", new[] { 1.0, 2.5 }),
            ("Counters", new Dictionary<string, int> { ["a"] = 1 }), ("Dwell", TimeSpan.FromMilliseconds(1500)), ("Blob", new byte[] { 1, 2 }), ("Gain", 200));
        Assert.Equal(1, response.Version);
        Assert.Equal(12.0, response.Applied["Position"].DoubleValue);
        Assert.Equal((12.0, 7, Mode.Fast, 2.5, 1, 1.5, (byte)200), (_stage.Position, _stage.Speed, _stage.Mode, _stage.Waypoints[1], _stage.Counters["a"], _stage.Dwell.TotalSeconds, _stage.Gain));
        Assert.Equal([1, 2], _stage.Blob);
        Assert.Equal(1, (await _client.QueryAsync("lab/stage")).Version);
    }

    public static TheoryData<string, object?, StatusCode, string> Invalid => new()
    {
        { "Nope", 1, StatusCode.NotFound, "model 'lab/stage' has no property 'Nope'; it has: " },
        { "Speed", "fast", StatusCode.InvalidArgument, "property 'Speed': expected INT (Int32), got STRING \"fast\"" },
        { "Speed", 2.5, StatusCode.InvalidArgument, "property 'Speed': expected INT (Int32), got DOUBLE 2.5, which is not a whole number" },
        { "Speed", 11, StatusCode.OutOfRange, "property 'Speed': 11 is outside 1..10" },
        { "Position", -1.5, StatusCode.OutOfRange, "property 'Position': -1.5 is outside 0..100 mm" },
        { "Gain", 256, StatusCode.OutOfRange, "property 'Gain': 256 is outside the range of Byte (0..255)" },
        { "Mode", "Medium", StatusCode.InvalidArgument, "property 'Mode': 'Medium' is not a member of Mode (Slow, Fast)" },
        { "Label", null, StatusCode.InvalidArgument, "property 'Label': expected STRING (String), got no value" },
        { "Waypoints", new object[] { 1.0, "x" }, StatusCode.InvalidArgument, "property 'Waypoints'[1]: expected DOUBLE (Double), got STRING \"x\"" },
        { "Moves", 3, StatusCode.InvalidArgument, "property 'Moves' is read-only" },
        { "AtHome", true, StatusCode.InvalidArgument, "property 'AtHome' is read-only" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task An_invalid_modify_gives_a_precise_status_and_changes_nothing(string property, object? value, StatusCode code, string message)
    {
        var before = await _client.QueryAsync("lab/stage");
        var error = await Refused(() => Modify(("Zeta", 4), ("Dwell", TimeSpan.FromSeconds(1)), (property, value)));
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
        Assert.Equal(before, await _client.QueryAsync("lab/stage"));
        Assert.Equal((0, TimeSpan.Zero), (_stage.Zeta, _stage.Dwell));
    }

    [Fact]
    public async Task A_setter_that_throws_midway_rolls_back_what_was_set()
    {
        var error = await Refused(() => Modify(("Position", 40.0), ("Speed", 3), ("Zeta", -1)));
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("setting 'Zeta' failed: zeta cannot go negative", error.Status.Detail);
        Assert.Equal((0.0, 5, 0L), (_stage.Position, _stage.Speed, (await _client.QueryAsync("lab/stage")).Version));
    }

    [Fact]
    public async Task A_stale_expected_version_is_aborted_with_the_current_version()
    {
        await Modify(("Speed", 2));
        var stale = await Refused(() => _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 9 }, expectedVersion: 0));
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.Contains("is at version 1, not the expected 0", stale.Status.Detail);
        Assert.Equal(2, _stage.Speed);
        Assert.Equal(2, (await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 9 }, expectedVersion: 1)).Version);
        Assert.Equal(StatusCode.Aborted, (await Refused(() => _client.InvokeAsync("lab/stage", "MoveTo", new Dictionary<string, object?> { ["target"] = 1 }, expectedVersion: 1))).StatusCode);
    }

    [Fact]
    public async Task A_dry_run_validates_and_applies_nothing()
    {
        var dry = await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Position"] = 30, ["Speed"] = 4 }, dryRun: true);
        Assert.Equal((0L, 30.0, 4L), (dry.Version, dry.Applied["Position"].DoubleValue, dry.Applied["Speed"].IntValue));
        Assert.Equal((0.0, 5), (_stage.Position, _stage.Speed));
        Assert.Equal(StatusCode.OutOfRange,
            (await Refused(() => _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 40 }, dryRun: true))).StatusCode);
        Assert.Equal(0, (await _client.QueryAsync("lab/stage")).Version);
    }

    [Fact]
    public async Task Invoke_binds_typed_arguments_with_defaults_and_returns_the_result()
    {
        var moved = await _client.InvokeAsync("lab/stage", "MoveTo", new Dictionary<string, object?> { ["target"] = 30 }, options: _alice);
        Assert.Equal((30.0, 1L), (moved.Result.DoubleValue, moved.Version));
        Assert.Equal((30.0, 5, 1), (_stage.Position, _stage.Speed, _stage.Moves));

        var faster = await _client.InvokeAsync("lab/stage", "MoveTo", new Dictionary<string, object?> { ["target"] = 10.0, ["speed"] = 9 });
        Assert.Equal((20.0, 2L, 9), (faster.Result.DoubleValue, faster.Version, _stage.Speed));

        Assert.Equal("nothing/Fast", (await _client.InvokeAsync("lab/stage", "Echo")).Result.StringValue);
        var echoed = await _client.InvokeAsync("lab/stage", "Echo", new Dictionary<string, object?> { ["text"] = "hi", ["mode"] = Mode.Slow });
        Assert.Equal(("hi/Slow", 2L), (echoed.Result.StringValue, echoed.Version));
        Assert.Null((await _client.InvokeAsync("lab/oven", "init")).Result);
    }

    public static TheoryData<string, Dictionary<string, object?>, StatusCode, string> FailedInvocations => new()
    {
        { "Nope", [], StatusCode.NotFound, "model 'lab/stage' has no operation 'Nope'; it has: " },
        { "MoveTo", [], StatusCode.InvalidArgument, "operation 'MoveTo' needs parameter 'target' (DOUBLE (Double)), which has no default" },
        { "MoveTo", new() { ["target"] = 1, ["z"] = 2 }, StatusCode.InvalidArgument, "operation 'MoveTo' has no parameter 'z'; it takes: target, speed" },
        { "MoveTo", new() { ["target"] = "far" }, StatusCode.InvalidArgument, "parameter 'target' of 'MoveTo': expected DOUBLE (Double), got STRING \"far\"" },
        { "MoveTo", new() { ["target"] = 101 }, StatusCode.OutOfRange, "parameter 'target' of 'MoveTo': 101 is outside 0..100 mm" },
        { "Fail", new() { ["kind"] = "argument" }, StatusCode.InvalidArgument, "operation 'Fail' failed: bad kind of argument" },
        { "Fail", new() { ["kind"] = "state" }, StatusCode.FailedPrecondition, "operation 'Fail' failed: not now" },
        { "Fail", new() { ["kind"] = "io" }, StatusCode.Unknown, "operation 'Fail' failed with IOException: the cable is loose" },
    };

    [Theory]
    [MemberData(nameof(FailedInvocations))]
    public async Task A_failed_invocation_gives_a_precise_status(string operation, Dictionary<string, object?> arguments, StatusCode code, string message)
    {
        var error = await Refused(() => _client.InvokeAsync("lab/stage", operation, arguments));
        Assert.Equal(code, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
        Assert.Equal((0.0, 0), (_stage.Position, _stage.Moves));
    }

    [Fact]
    public async Task The_lifecycle_is_enforced_in_order_and_a_failed_transition_faults()
    {
        async Task<RpcException> OutOfOrder(string operation)
        {
            var error = await Refused(() => _client.InvokeAsync("lab/oven", operation));
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            return error;
        }

        Assert.Contains("'configure' is not allowed while the model is UNINITIALIZED; allowed now: init", (await OutOfOrder("configure")).Status.Detail);
        Assert.Contains("operation 'Start' is allowed only in CONFIGURED; the model is UNINITIALIZED", (await OutOfOrder("Start")).Status.Detail);

        await _client.InvokeAsync("lab/oven", "init");
        Assert.Contains("allowed now: configure, deinit", (await OutOfOrder("invalidate")).Status.Detail);
        Assert.Equal(StatusCode.OutOfRange,
            (await Refused(() => _client.InvokeAsync("lab/oven", "configure", new Dictionary<string, object?> { ["Setpoint"] = 400 }))).StatusCode);
        Assert.Equal(LifecycleState.Initialized, (await _client.DescribeAsync("lab/oven")).Lifecycle.State);

        await _client.InvokeAsync("lab/oven", "configure", new Dictionary<string, object?> { ["Setpoint"] = 180 });
        Assert.Equal((180.0, 2), (_oven.Setpoint, _oven.Zones));
        var configured = await _client.DescribeAsync("lab/oven");
        Assert.Equal((LifecycleState.Configured, "invalidate"), (configured.Lifecycle.State, Assert.Single(configured.Lifecycle.AllowedOperations)));
        await _client.InvokeAsync("lab/oven", "Start");
        await OutOfOrder("deinit");
        await _client.InvokeAsync("lab/oven", "invalidate");
        await _client.InvokeAsync("lab/oven", "deinit");
        Assert.Equal(LifecycleState.Uninitialized, (await _client.ListModelsAsync()).Single(m => m.Model == "lab/oven").State);

        _oven.FailNextInit = true;
        var failed = await Refused(() => _client.InvokeAsync("lab/oven", "init"));
        Assert.Equal(StatusCode.Unknown, failed.StatusCode);
        Assert.Contains("heater not found; the model is now FAULTED (only deinit is allowed)", failed.Status.Detail);
        Assert.Contains("allowed now: deinit", (await OutOfOrder("init")).Status.Detail);
        _oven.FailNextInit = false;
        await _client.InvokeAsync("lab/oven", "deinit");
        Assert.Equal(LifecycleState.Uninitialized, (await _client.DescribeAsync("lab/oven")).Lifecycle.State);
    }

    [Fact]
    public async Task Every_modify_and_invoke_is_audited_with_caller_action_and_outcome()
    {
        await Modify(("Speed", 3));
        await Refused(() => Modify(("Speed", 30)));
        await _client.InvokeAsync("lab/stage", "MoveTo", new Dictionary<string, object?> { ["target"] = 5 }, options: _alice);
        await Refused(() => _client.InvokeAsync("lab/stage", "Fail", new Dictionary<string, object?> { ["kind"] = "state" }, options: _alice));
        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 4 }, dryRun: true, options: _alice);

        var history = await _client.HistoryAsync("lab/stage");
        Assert.Equal(["modify", "modify", "invoke:MoveTo", "invoke:Fail", "modify"], history.Select(r => r.Action));
        Assert.All(history, r => Assert.Equal(("alice", "lab/stage"), (r.Caller, r.Model)));
        Assert.Equal([0, (int)StatusCode.OutOfRange, 0, (int)StatusCode.FailedPrecondition, 0], history.Select(r => r.StatusCode));
        Assert.Equal([1L, 1L, 2L, 2L, 2L], history.Select(r => r.Version));
        Assert.Equal(3, history[0].Changes["Speed"].IntValue);
        Assert.Equal(30, history[1].Changes["Speed"].IntValue);
        Assert.Contains("dry run", history[4].StatusMessage);
        Assert.Equal(_clock.GetUtcNow(), history[0].Time.ToDateTimeOffset());

        var last2 = await _client.HistoryAsync("lab/stage", limit: 2);
        Assert.Equal(["invoke:Fail", "modify"], last2.Select(r => r.Action));
        Assert.Equal((int)StatusCode.FailedPrecondition, last2[0].StatusCode);
    }

    [Fact]
    public async Task The_caller_is_the_peer_without_a_caller_header()
    {
        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 3 });
        Assert.StartsWith("ipv4:127.0.0.1:", Assert.Single(await _client.HistoryAsync("lab/stage")).Caller);
    }

    [Fact]
    public async Task A_call_a_relay_passes_on_is_audited_as_the_original_caller_via_the_relay()
    {
        var relayed = new CallOptions(headers: new Metadata
        {
            { CallerHeaderAuthorizer.CallerHeader, "relay-2" },
            { CallerHeaderAuthorizer.OnBehalfOfHeader, "alice" },
        });
        await _client.ModifyAsync("lab/stage", new Dictionary<string, object?> { ["Speed"] = 3 }, options: relayed);
        Assert.Equal("alice via relay-2", Assert.Single(await _client.HistoryAsync("lab/stage")).Caller);
    }

    [Fact]
    public async Task An_unknown_model_is_not_found_naming_the_hosted_ones()
    {
        var error = await Refused(() => _client.QueryAsync("lab/nothing"));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no model 'lab/nothing' on this server; it hosts: lab/oven, lab/stage", error.Status.Detail);
        Assert.Equal(["lab/oven", "lab/stage"], (await _client.ListModelsAsync()).Select(m => m.Model));
    }
}
