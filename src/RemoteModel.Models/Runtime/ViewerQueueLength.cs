using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// The observable gauge <c>remotemodel.viewer.queue.length</c> (<c>{notification}</c>, tag
/// <c>remotemodel.model</c>): how many changes wait in each model's viewer queues when a listener
/// asks. The depth histogram is recorded only as a queue is written out, so it never sees the
/// queue of a viewer that has stopped reading; this does, until the viewer falls its whole queue
/// behind and is resynchronised.
/// </summary>
internal static class ViewerQueueLength
{
    // Weak, so that a hub nobody closed (a host never disposed) is not kept alive for the gauge's sake.
    private static readonly ConditionalWeakTable<ViewerHub, string> Hubs = [];

    static ViewerQueueLength() =>
        RemoteModelDiagnostics.Meter.CreateObservableGauge("remotemodel.viewer.queue.length", Measure, "{notification}", "Changes waiting in viewers' queues now.");

    /// <summary>Measures <paramref name="hub"/>'s queues, under <paramref name="model"/>, until <see cref="Forget"/>.</summary>
    public static void Observe(ViewerHub hub, string model) => Hubs.AddOrUpdate(hub, model);

    public static void Forget(ViewerHub hub) => Hubs.Remove(hub);

    private static IEnumerable<Measurement<long>> Measure() =>
        [.. Hubs.Select(hub => new Measurement<long>(hub.Key.Queued, RemoteModelDiagnostics.ModelTag(hub.Value)))];
}
