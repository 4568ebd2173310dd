using System.ComponentModel;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Monitoring.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using MonitorClient = RemoteModel.Monitoring.V1.Monitor.MonitorClient;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// The traffic monitor every server offers: one event per call served, to admins only, filtered,
/// and a watcher that does not keep up loses events (and is told how many) without slowing
/// calls. A real server on loopback serving names and a model, with keys of each kind; then the
/// executables, watched with <c>remotemodel-ns monitor</c>.
/// </summary>
public sealed class MonitorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly AccessKey _admin = KeyringFile.NewKey("admin", KeyScopes.Admin);
    private readonly AccessKey _operator = KeyringFile.NewKey("operator", KeyScopes.Control | KeyScopes.Read | KeyScopes.Register);
    private readonly List<SignedChannel> _channels = [];
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        var keyring = new Keyring([_admin, _operator]);
        _server = await LoopbackServer.StartAsync(
            services =>
            {
                services.AddSingleton<CallVerifier>(new HmacCallVerifier(KeyringSource.Fixed(keyring)));
                services.AddNameService();
                services.AddRemoteModels((models, _) => models.Add("lab/lamp", new Lamp()));
            },
            app =>
            {
                app.MapNameService();
                app.MapRemoteModels();
            });
    }

    public async Task DisposeAsync()
    {
        _channels.ForEach(c => c.Dispose());
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Each_call_is_reported_as_it_ends_with_its_method_name_caller_key_peer_status_duration_and_modify_values()
    {
        using var watch = await WatchAsync(new MonitorRequest());
        var models = new ModelClient(Channel(_operator));
        var asAlice = new CallOptions(headers: new Metadata { { CallerHeaderAuthorizer.CallerHeader, "alice@lab" } });
        await models.ModifyAsync("lab/lamp", new Dictionary<string, object?> { ["Color"] = "red", ["Level"] = 0.5 }, options: asAlice);
        var modify = await NextAsync(watch);
        Assert.Equal(MonitorEvent.Types.Kind.CallEnded, modify.Kind);
        Assert.Equal("/remotemodel.v1.Model/Modify", modify.Method);
        Assert.Equal(("lab/lamp", "alice@lab", "operator", "OK"), (modify.Name, modify.Caller, modify.Key, modify.Status));
        Assert.StartsWith("ipv4:127.0.0.1:", modify.Peer, StringComparison.Ordinal);
        Assert.True(modify.Duration.ToTimeSpan() > TimeSpan.Zero);
        Assert.Equal(new Dictionary<string, string> { ["Color"] = "\"red\"", ["Level"] = "0.5" }, modify.Values);
        Assert.Equal(0ul, modify.Dropped);

        var refused = await Assert.ThrowsAsync<RpcException>(() => models.ModifyAsync("lab/lamp", new Dictionary<string, object?> { ["Wattage"] = 60 }, options: asAlice));
        var failed = await NextAsync(watch);
        Assert.Equal((StatusName(refused.StatusCode), refused.Status.Detail), (failed.Status, failed.Detail));

        // A registration's name is one message down in the request; an unsigned call has no key.
        await new NamingClient(Channel(null)).LookupAsync("lab/nothing").ContinueWith(_ => { });
        var lookup = await NextAsync(watch);
        Assert.Equal(("/remotemodel.v1.Naming/Lookup", "lab/nothing", "", "NOT_FOUND"), (lookup.Method, lookup.Name, lookup.Key, lookup.Status));
        await new NamingClient(Channel(_operator)).RegisterAsync(new Registration { Name = "lab/lamp", Kind = "model", Endpoints = { "http://192.0.2.10:9191" } });
        Assert.Equal(("/remotemodel.v1.Naming/Register", "lab/lamp", "operator"), await NextAsync(watch) is var register ? (register.Method, register.Name, register.Key) : default);
    }

    [Fact]
    public async Task A_stream_is_reported_when_it_starts_and_when_it_ends()
    {
        using var watch = await WatchAsync(new MonitorRequest { Method = "Subscribe" });
        using (var subscription = new ModelClient(Channel(_operator)).Subscribe(new SubscribeRequest { Model = "lab/lamp", ViewerName = "wall" }))
        {
            Assert.True(await subscription.ResponseStream.MoveNext());
            var started = await NextAsync(watch);
            Assert.Equal((MonitorEvent.Types.Kind.CallStarted, "lab/lamp", "operator", ""), (started.Kind, started.Name, started.Key, started.Status));
        }

        var ended = await NextAsync(watch);
        Assert.Equal((MonitorEvent.Types.Kind.CallEnded, "/remotemodel.v1.Model/Subscribe", "CANCELLED"), (ended.Kind, ended.Method, ended.Status));
    }

    [Fact]
    public async Task Filters_pick_calls_by_method_name_caller_or_key_and_failure()
    {
        using var errors = await WatchAsync(new MonitorRequest { Method = "model/", ErrorsOnly = true });
        using var byKey = await WatchAsync(new MonitorRequest { Caller = "operator", NamePrefix = "lab/" });
        var models = new ModelClient(Channel(_operator));
        await models.QueryAsync("lab/lamp");
        await new ModelClient(Channel(_admin)).QueryAsync("lab/lamp");
        await Assert.ThrowsAsync<RpcException>(() => models.QueryAsync("elsewhere/lamp"));
        await Assert.ThrowsAsync<RpcException>(() => models.QueryAsync("lab/lamp", ["NoSuchProperty"]));

        Assert.Equal("elsewhere/lamp", (await NextAsync(errors)).Name);
        var invalid = await NextAsync(errors);
        Assert.Equal(("lab/lamp", "operator"), (invalid.Name, invalid.Key));
        Assert.NotEqual("OK", invalid.Status);

        Assert.Equal("OK", (await NextAsync(byKey)).Status);
        Assert.NotEqual("OK", (await NextAsync(byKey)).Status);
        Assert.False(await AnotherWithinAsync(byKey, TimeSpan.FromMilliseconds(300)), "the admin's call and the call about another name are not the operator's lab/ calls");
    }

    [Fact]
    public async Task Only_admins_may_watch()
    {
        var unsigned = await Assert.ThrowsAsync<RpcException>(() => WatchAsync(new MonitorRequest(), null));
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
        var operatorRefused = await Assert.ThrowsAsync<RpcException>(() => WatchAsync(new MonitorRequest(), _operator));
        Assert.Equal(StatusCode.PermissionDenied, operatorRefused.StatusCode);
        Assert.Equal("key 'operator' lacks scope 'admin' needed by /remotemodel.v1.Monitor/Watch; it has: read, control, register", operatorRefused.Status.Detail);
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => WatchAsync(new MonitorRequest { QueueLength = 1_000_000 }));
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
    }

    [Fact]
    public async Task A_monitor_that_does_not_read_loses_events_and_is_told_how_many_while_the_calls_go_on()
    {
        const int Calls = 2_000;
        using var watch = await WatchAsync(new MonitorRequest { Method = "Query", QueueLength = 4 });

        // Nothing reads the stream while the calls are made: flow control stops the server's writes
        // to it after a few hundred events, and the queue behind it holds four.
        var models = new ModelClient(Channel(_operator));
        for (var i = 0; i < Calls; i++)
        {
            await models.QueryAsync("lab/lamp", ["Level"]);
        }

        ulong delivered = 0, dropped = 0;
        while (delivered + dropped < Calls)
        {
            var next = await NextAsync(watch);
            delivered++;
            dropped += next.Dropped;
        }

        Assert.Equal((ulong)Calls, delivered + dropped);
        Assert.True(dropped > 0, "a watcher that did not read lost events");
        Assert.False(await AnotherWithinAsync(watch, TimeSpan.FromMilliseconds(300)), "nothing beyond the calls made");
    }

    [Fact]
    public async Task The_monitor_command_prints_a_model_servers_modifies_and_a_name_servers_registrations_live()
    {
        await using var bed = await ProcessTestBed.StartAsync();
        var nameServerMonitor = bed.Track(Executables.Start(Executables.NameServer, ["monitor", "--ns", bed.NameServer, "--name", "watched"]));
        Assert.Equal($"{bed.NameServer} (Ctrl+C to stop)", await nameServerMonitor.WaitForLineAsync("watching ", ProcessTestBed.StartTimeout));

        var (_, address) = await bed.StartTickersAsync("watched");
        var hold = await nameServerMonitor.WaitForLineAsync("", Wait, l => l.Contains("Naming/Hold watched", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} Naming/Hold watched \[key local\] from ipv4:127\.0\.0\.1:\d+: started$", hold);

        var modelMonitor = bed.Track(Executables.Start(Executables.NameServer, ["monitor", "--endpoint", address, "--method", "Modify"]));
        await modelMonitor.WaitForLineAsync("watching", ProcessTestBed.StartTimeout);
        await new ModelClient(bed.Channel(address)).ModifyAsync("watched", new Dictionary<string, object?> { ["Symbol"] = "ACME" },
            options: new CallOptions(headers: new Metadata { { CallerHeaderAuthorizer.CallerHeader, "alice@lab" } }));
        var modify = await modelMonitor.WaitForLineAsync("", Wait, l => l.Contains("Modify", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{3} Model/Modify watched by alice@lab \[key local\] from ipv4:127\.0\.0\.1:\d+: OK in [\d.]+ ms \{Symbol=""ACME""\}$", modify);
    }

    private SignedChannel Channel(AccessKey? key)
    {
        var channel = SignedChannel.ForAddress(_server.Address, key is null ? null : new HmacCallSigner(key));
        _channels.Add(channel);
        return channel;
    }

    /// <summary>A watch that is on (its WATCHING event read), signed with <paramref name="key"/> (the admin's by default).</summary>
    private Task<AsyncServerStreamingCall<MonitorEvent>> WatchAsync(MonitorRequest request) => WatchAsync(request, _admin);

    private async Task<AsyncServerStreamingCall<MonitorEvent>> WatchAsync(MonitorRequest request, AccessKey? key)
    {
        var call = new MonitorClient(Channel(key)).Watch(request);
        try
        {
            Assert.Equal(MonitorEvent.Types.Kind.Watching, (await NextAsync(call)).Kind);
            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    private static async Task<MonitorEvent> NextAsync(AsyncServerStreamingCall<MonitorEvent> call)
    {
        using var timeout = new CancellationTokenSource(Wait);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "the monitor stream ended");
        return call.ResponseStream.Current;
    }

    private static async Task<bool> AnotherWithinAsync(AsyncServerStreamingCall<MonitorEvent> call, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await call.ResponseStream.MoveNext(timeout.Token);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
        {
            return false;
        }
    }

    private static string StatusName(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        _ => code.ToString().ToUpperInvariant(),
    };

    /// <summary>A model with two properties to set.</summary>
    private sealed class Lamp : INotifyPropertyChanged
    {
        private string _color = "white";
        private double _level;

        public event PropertyChangedEventHandler? PropertyChanged;

        public string Color
        {
            get => _color;
            set => Set(ref _color, value);
        }

        public double Level
        {
            get => _level;
            set => Set(ref _level, value);
        }

        private void Set<T>(ref T field, T value, [CallerMemberName] string name = "")
        {
            field = value;
            PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
        }
    }
}
