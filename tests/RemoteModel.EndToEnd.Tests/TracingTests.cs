using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RemoteModel.Grpc.Telemetry;
using RemoteModel.Hosting.Telemetry;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// Tracing through OpenTelemetry, with the in-memory exporter: a Modify's trace runs from the
/// controller's call, through the model server, to a viewer's delivery. A real server on loopback,
/// the controller's and the viewer's client code in this process, one tracer provider seeing all.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TracingTests : IAsyncLifetime
{
    private readonly List<Activity> _spans = [];
    private TracerProvider _tracing = null!;
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(RemoteModelDiagnostics.Name)
            .AddAspNetCoreInstrumentation()
            .AddGrpcClientInstrumentation()
            .AddInMemoryExporter(_spans)
            .Build()!;
        _server = await LoopbackServer.StartAsync(
            services => services.AddRemoteModels((models, _) => models.Add("lab/lamp", new Lamp())),
            app => app.MapRemoteModels());
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _tracing.Dispose();
    }

    [Fact]
    public async Task A_modifys_trace_runs_from_the_controller_through_the_model_server_to_the_viewers_delivery()
    {
        using var viewing = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var follower = new ModelFollower(ServiceAddress.Parse(_server.Address), new SubscribeRequest { Model = "lab/lamp", ViewerName = "wall" }) { Signer = TestKeyring.Signer };
        await using var events = follower.FollowAsync(viewing.Token).GetAsyncEnumerator(viewing.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(FollowEventKind.Connected, events.Current.Kind);

        using var channel = TestKeyring.Channel(_server.Address);
        await new ModelClient(channel).ModifyAsync("lab/lamp", new Dictionary<string, object?> { ["Color"] = "red" });
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("red", events.Current.Notification!.Values["Color"].StringValue);
        Assert.NotEmpty(events.Current.Notification.TraceParent);

        // A server span ends once its answer is sent, which may be just after the client has it.
        await Eventually.TrueAsync(() => Task.FromResult(Spans().Count(s => s.DisplayName.Contains("Modify", StringComparison.Ordinal)) >= 2), "the Modify's client and server spans to end");

        var delivery = Assert.Single(Spans(), s => s.OperationName == "remotemodel.notification.receive");
        var modify = Assert.Single(Spans(), s => s.OperationName == "remotemodel.modify");
        var served = Assert.Single(Spans(), s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("Modify", StringComparison.Ordinal));
        var called = Assert.Single(Spans(), s => s.Kind == ActivityKind.Client && s.DisplayName.Contains("Modify", StringComparison.Ordinal));

        // One trace: the controller's call, the server's request, the change, the viewer's delivery.
        Assert.Equal(modify.SpanId, delivery.ParentSpanId);
        Assert.Equal(served.SpanId, modify.ParentSpanId);
        Assert.Equal(called.SpanId, served.ParentSpanId);
        Assert.All(new[] { delivery, modify, served }, s => Assert.Equal(called.TraceId, s.TraceId));
        Assert.Equal(ActivityKind.Consumer, delivery.Kind);
        Assert.Equal("lab/lamp", delivery.GetTagItem("remotemodel.model"));
        Assert.Equal("wall", delivery.GetTagItem("remotemodel.viewer"));
        Assert.Equal("lab/lamp", modify.GetTagItem("remotemodel.model"));
    }

    [Fact]
    public void Telemetry_is_off_unless_configuration_turns_it_on()
    {
        static bool Exports(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            using var services = new ServiceCollection().AddLogging().AddRemoteModelTelemetry(configuration).BuildServiceProvider();
            return services.GetService<TracerProvider>() is not null;
        }

        Assert.False(Exports([]));
        Assert.True(Exports(new() { ["OpenTelemetry:Enabled"] = "true", ["OpenTelemetry:OtlpEndpoint"] = "http://127.0.0.1:4317" }));
        using var tool = TelemetryExtensions.StartForTool(new ConfigurationBuilder().Build());
        Assert.Null(tool);
    }

    private List<Activity> Spans()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }
}

/// <summary>
/// Tests that listen to every ActivitySource, or count what the process-wide Meter records, run one
/// at a time: no other test's calls then add to what they see.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
