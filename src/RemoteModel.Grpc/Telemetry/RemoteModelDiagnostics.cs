using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace RemoteModel.Grpc.Telemetry;

/// <summary>
/// The project's own tracing and metrics, both named <see cref="Name"/>, beside ASP.NET Core's
/// and Grpc.Net.Client's: a span for each change a caller makes (<c>remotemodel.modify</c>,
/// <c>remotemodel.invoke</c>) and for its delivery to each viewer that receives it
/// (<c>remotemodel.notification.receive</c>, joined to the change's trace through the
/// notification's <c>trace_parent</c>), and counters of what a server does (the gauge of viewer
/// queue lengths, which must see the queues, is the model runtime's). Nothing is recorded,
/// and next to nothing spent, unless a listener (OpenTelemetry, turned on by configuration) listens.
/// </summary>
public static class RemoteModelDiagnostics
{
    /// <summary>The name of the ActivitySource and of the Meter: <c>RemoteModel</c>.</summary>
    public const string Name = "RemoteModel";

    private static readonly string Version =
        typeof(RemoteModelDiagnostics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <summary>The tag naming the model a span or measurement is about: <c>remotemodel.model</c>.</summary>
    public const string ModelTagName = "remotemodel.model";

    /// <summary>The project's spans.</summary>
    public static ActivitySource Source { get; } = new(Name, Version);

    /// <summary>The project's instruments.</summary>
    public static Meter Meter { get; } = new(Name, Version);

    /// <summary>Changes committed to models (by callers and by the models themselves); tags <c>remotemodel.model</c>, <c>remotemodel.cause</c>.</summary>
    public static Counter<long> ChangesApplied { get; } = Meter.CreateCounter<long>("remotemodel.changes.applied", "{change}", "Changes committed to models.");

    /// <summary>Notifications written to viewers' streams (snapshots included); tag <c>remotemodel.model</c>.</summary>
    public static Counter<long> NotificationsDelivered { get; } = Meter.CreateCounter<long>("remotemodel.notifications.delivered", "{notification}", "Notifications written to viewers.");

    /// <summary>Viewers subscribed now; tag <c>remotemodel.model</c>.</summary>
    public static UpDownCounter<long> ViewersConnected { get; } = Meter.CreateUpDownCounter<long>("remotemodel.viewers.connected", "{viewer}", "Viewers subscribed now.");

    /// <summary>How many notifications a viewer had queued each time its queue was written out; tag <c>remotemodel.model</c>.</summary>
    public static Histogram<long> ViewerQueueDepth { get; } = Meter.CreateHistogram<long>("remotemodel.viewer.queue.depth", "{notification}", "Notifications queued for a viewer when its queue is written out.");

    /// <summary>Viewers that fell behind and were sent a fresh snapshot; tag <c>remotemodel.model</c>.</summary>
    public static Counter<long> Resyncs { get; } = Meter.CreateCounter<long>("remotemodel.viewer.resyncs", "{resync}", "Viewers resynchronised after falling behind.");

    /// <summary>Calls refused by authentication or scope checks; tag <c>rpc.method</c>.</summary>
    public static Counter<long> AuthRefusals { get; } = Meter.CreateCounter<long>("remotemodel.auth.refusals", "{call}", "Calls refused by authentication or permissions.");

    /// <summary>Registrations made with the name server; tag <c>remotemodel.kind</c>.</summary>
    public static Counter<long> Registrations { get; } = Meter.CreateCounter<long>("remotemodel.registrations", "{registration}", "Registrations made with the name server.");

    /// <summary>Registrations that ended because their lease ran out (counted by the name server that holds the store); tag <c>remotemodel.kind</c>.</summary>
    public static Counter<long> LeaseExpiries { get; } = Meter.CreateCounter<long>("remotemodel.lease.expiries", "{lease}", "Registrations ended because their lease ran out.");

    /// <summary>The <see cref="ModelTagName"/> tag of a measurement about <paramref name="model"/>.</summary>
    public static KeyValuePair<string, object?> ModelTag(string model) => new(ModelTagName, model);

    /// <summary>The W3C <c>traceparent</c> of <paramref name="activity"/> when it is recorded, for a message that carries its trace on; else empty.</summary>
    public static string TraceParentOf(Activity? activity) =>
        activity is { Recorded: true, IdFormat: ActivityIdFormat.W3C } ? activity.Id ?? string.Empty : string.Empty;
}
