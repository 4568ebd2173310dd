using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Metrics;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.Server;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// The project's instruments (<see cref="Grpc.Telemetry.RemoteModelDiagnostics"/>) move when what
/// they count happens on real servers on loopback: once through OpenTelemetry turned on by
/// configuration, as an operator turns it on, with the in-memory exporter in place of OTLP; the
/// rest with a MeterListener. Each test counts only what carries its own model name or kind.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Turned_on_by_configuration_OpenTelemetry_exports_the_changes_deliveries_and_viewers_of_a_model()
    {
        const string Model = "metrics/exported";
        var exported = new List<MetricSnapshot>();
        await using var server = await LoopbackServer.StartAsync(
            services => services
                .AddRemoteModels((models, _) => models.Add(Model, new Lamp()))
                .ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported)),
            app => app.MapRemoteModels(),
            // The OTLP exporter configuration adds sends nowhere that answers; the in-memory one is read.
            new Dictionary<string, string?> { ["OpenTelemetry:Enabled"] = "true", ["OpenTelemetry:OtlpEndpoint"] = "http://127.0.0.1:9" });

        using var viewing = new CancellationTokenSource(Patience);
        await using var events = Follow(server, Model, "panel", viewing.Token);
        Assert.True(await events.MoveNextAsync());
        using var channel = TestKeyring.Channel(server.Address);
        await new ModelClient(channel).ModifyAsync(Model, new Dictionary<string, object?> { ["Color"] = "red" });
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("red", events.Current.Notification!.Values["Color"].StringValue);

        var meters = server.Services.GetRequiredService<MeterProvider>();
        long Exported(string instrument, string? cause = null)
        {
            // False when the OTLP exporter could not send, which it cannot here; the in-memory one has exported all the same.
            meters.ForceFlush(10_000);
            var points = exported.Last(m => m.Name == instrument).MetricPoints.Where(p => Tag(p, "remotemodel.model") as string == Model && (cause is null || Tag(p, "remotemodel.cause") as string == cause));
            return points.Sum(p => p.GetSumLong());
        }

        Assert.Equal(1, Exported("remotemodel.changes.applied", cause: "modify"));
        Assert.Equal(1, Exported("remotemodel.viewers.connected"));
        // The snapshot and the change; the counter moves once the pump has written them, just after the viewer has them.
        await Eventually.TrueAsync(() => Task.FromResult(Exported("remotemodel.notifications.delivered") == 2), "both notifications counted as delivered");
    }

    [Fact]
    public async Task Viewers_connected_rise_while_viewers_follow_and_fall_when_they_leave()
    {
        const string Model = "metrics/viewers";
        using var recorded = new RecordedMeasurements();
        await using var server = await ModelServerAsync(Model);
        using var first = new CancellationTokenSource(Patience);
        using var second = new CancellationTokenSource(Patience);
        var one = Follow(server, Model, "one", first.Token);
        var two = Follow(server, Model, "two", second.Token);
        Assert.True(await one.MoveNextAsync());
        Assert.True(await two.MoveNextAsync());
        Assert.Equal(2, recorded.Sum("remotemodel.viewers.connected", "remotemodel.model", Model));

        await first.CancelAsync();
        await one.DisposeAsync();
        await Eventually.TrueAsync(() => Task.FromResult(recorded.Sum("remotemodel.viewers.connected", "remotemodel.model", Model) == 1), "the viewer that left counted out");
        await second.CancelAsync();
        await two.DisposeAsync();
        await Eventually.TrueAsync(() => Task.FromResult(recorded.Sum("remotemodel.viewers.connected", "remotemodel.model", Model) == 0), "both viewers counted out");
    }

    [Fact]
    public async Task A_viewer_that_falls_behind_counts_a_resync_and_queue_depths_are_recorded_for_its_model()
    {
        const string Model = "metrics/resync";
        const int Changes = 40;
        using var recorded = new RecordedMeasurements();
        await using var server = await ModelServerAsync(Model, new Dictionary<string, string?> { ["Models:ViewerQueueCapacity"] = "4" });

        // An in-process viewer of the served model that takes its snapshot and then reads nothing.
        var host = server.Services.GetRequiredService<ModelRegistry>().Find(Model)!;
        await using var stalled = host.Subscribe(new SubscribeRequest { ViewerName = "stalled" }, "in-process").GetAsyncEnumerator();
        Assert.True(await stalled.MoveNextAsync());
        using var channel = TestKeyring.Channel(server.Address);
        var models = new ModelClient(channel);
        for (var i = 0; i < Changes; i++)
        {
            await models.ModifyAsync(Model, new Dictionary<string, object?> { ["Color"] = $"c{i}" });
        }

        Assert.Equal(Changes, recorded.Sum("remotemodel.changes.applied", "remotemodel.model", Model));
        Assert.True(host.Viewers().Single(v => v.Name == "stalled").Resyncs > 0);

        // The RESYNC is counted when it is written, once the viewer reads again.
        while (stalled.Current.Version < Changes)
        {
            Assert.True(await stalled.MoveNextAsync().AsTask().WaitAsync(Patience));
        }

        await Eventually.TrueAsync(() => Task.FromResult(recorded.Sum("remotemodel.viewer.resyncs", "remotemodel.model", Model) >= 1), "the stalled viewer's resync counted");
        Assert.Equal(host.Viewers().Single(v => v.Name == "stalled").Resyncs, recorded.Sum("remotemodel.viewer.resyncs", "remotemodel.model", Model));
        var depths = recorded.Values("remotemodel.viewer.queue.depth", "remotemodel.model", Model);
        Assert.NotEmpty(depths);
        Assert.All(depths, depth => Assert.InRange(depth, 1, 4));
    }

    [Fact]
    public async Task The_queue_length_gauge_reads_what_waits_for_a_viewer_that_stopped_reading()
    {
        const string Model = "metrics/queued";
        const int Changes = 10;
        using var recorded = new RecordedMeasurements();
        await using var server = await ModelServerAsync(Model);
        var host = server.Services.GetRequiredService<ModelRegistry>().Find(Model)!;
        await using var stalled = host.Subscribe(new SubscribeRequest { ViewerName = "stalled" }, "in-process").GetAsyncEnumerator();
        Assert.True(await stalled.MoveNextAsync());
        Assert.Equal(0, recorded.Now("remotemodel.viewer.queue.length", "remotemodel.model", Model));

        using var channel = TestKeyring.Channel(server.Address);
        for (var i = 0; i < Changes; i++)
        {
            await new ModelClient(channel).ModifyAsync(Model, new Dictionary<string, object?> { ["Color"] = $"c{i}" });
        }

        // The first changes went out to the viewer's stream, which holds a batch until it is read; the rest wait.
        Assert.InRange(recorded.Now("remotemodel.viewer.queue.length", "remotemodel.model", Model) ?? -1, 1, Changes - 1);
        while (stalled.Current.Version < Changes)
        {
            Assert.True(await stalled.MoveNextAsync().AsTask().WaitAsync(Patience));
        }

        Assert.Equal(0, recorded.Now("remotemodel.viewer.queue.length", "remotemodel.model", Model));
    }

    [Fact]
    public async Task A_call_refused_by_authentication_is_counted_with_its_method()
    {
        const string Method = "/remotemodel.v1.Model/Modify";
        using var recorded = new RecordedMeasurements();
        await using var server = await ModelServerAsync("metrics/guarded");
        var before = recorded.Sum("remotemodel.auth.refusals", "rpc.method", Method);

        using var unsigned = SignedChannel.ForAddress(server.Address, signer: null);
        var refused = await Assert.ThrowsAsync<RpcException>(() => new ModelClient(unsigned).ModifyAsync("metrics/guarded", new Dictionary<string, object?> { ["Color"] = "red" }));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        using var signed = TestKeyring.Channel(server.Address);
        await new ModelClient(signed).ModifyAsync("metrics/guarded", new Dictionary<string, object?> { ["Color"] = "blue" });

        Assert.Equal(before + 1, recorded.Sum("remotemodel.auth.refusals", "rpc.method", Method));
    }

    [Fact]
    public async Task Registrations_and_the_leases_that_run_out_are_counted_by_kind()
    {
        const string Kind = "metrics-lease-test";
        using var recorded = new RecordedMeasurements();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The store's leases run on the test's clock; signatures and everything else on the real one.
        await using var nameServer = await LoopbackServer.StartAsync(
            services => services.AddSingleton<IRegistryStore>(new EmbeddedRegistryStore(new EmbeddedRegistryOptions(), clock)).AddNameService(),
            app => app.MapNameService());
        using var watching = new CancellationTokenSource(Patience);
        // What the name server executable runs for as long as it runs (its EndsElsewhereLog).
        var endsLog = nameServer.Services.GetRequiredService<NamingService>().LogEndsElsewhereAsync(watching.Token);
        using var channel = await NameServerLocator.ConnectAsync(nameServer.Address, TestKeyring.Signer);
        var naming = new NamingClient(channel);

        var kept = await naming.RegisterAsync(new Registration { Name = "metrics/kept", Kind = Kind, Endpoints = { "http://127.0.0.1:5001" } }, TimeSpan.FromSeconds(60));
        await naming.RegisterAsync(new Registration { Name = "metrics/lapsed", Kind = Kind, Endpoints = { "http://127.0.0.1:5002" } }, TimeSpan.FromSeconds(5));
        Assert.Equal(2, recorded.Sum("remotemodel.registrations", "remotemodel.kind", Kind));
        Assert.Equal(0, recorded.Sum("remotemodel.lease.expiries", "remotemodel.kind", Kind));

        clock.Advance(TimeSpan.FromSeconds(6));
        await Eventually.TrueAsync(() => Task.FromResult(recorded.Sum("remotemodel.lease.expiries", "remotemodel.kind", Kind) == 1), "the lapsed lease counted");

        Assert.Equal(kept.Name, (await naming.LookupAsync("metrics/kept")).Name);
        await watching.CancelAsync();
        await endsLog.WaitAsync(Patience);
    }

    private static Task<LoopbackServer> ModelServerAsync(string model, IReadOnlyDictionary<string, string?>? settings = null) =>
        LoopbackServer.StartAsync(services => services.AddRemoteModels((models, _) => models.Add(model, new Lamp())), app => app.MapRemoteModels(), settings);

    private static IAsyncEnumerator<FollowEvent> Follow(LoopbackServer server, string model, string viewer, CancellationToken cancellationToken) =>
        new ModelFollower(ServiceAddress.Parse(server.Address), new SubscribeRequest { Model = model, ViewerName = viewer }) { Signer = TestKeyring.Signer }
            .FollowAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    private static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }
}
