using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Monitoring;

/// <summary>
/// Hands every call the server's authenticated services serve to whoever watches, while anyone
/// does: one <see cref="CallRecord"/> when a call ends, and one when a stream starts. Each
/// watcher has a bounded queue of its own; a watcher that falls behind loses the records that do
/// not fit and is told how many (<see cref="MonitorWatch"/>), so a slow monitor never slows the
/// server. With nobody watching, a call costs one read of a field.
/// </summary>
public sealed class CallMonitor(TimeProvider timeProvider, CallVerifier? verifier = null)
{
    /// <summary>The header in which RemoteModel clients name their caller.</summary>
    public const string CallerHeader = "remotemodel-caller";

    private readonly TimeProvider _time = timeProvider;
    private readonly CallVerifier? _verifier = verifier;
    private readonly Lock _gate = new();
    private MonitorWatch[] _watches = [];

    /// <summary>True while anyone watches.</summary>
    public bool IsWatched => Volatile.Read(ref _watches).Length > 0;

    /// <summary>Starts a watch whose queue holds at most <paramref name="queueLength"/> records; dispose it to stop.</summary>
    public MonitorWatch Watch(int queueLength, Func<CallRecord, bool>? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueLength, 1);
        var watch = new MonitorWatch(this, queueLength, filter);
        lock (_gate)
        {
            _watches = [.. _watches, watch];
        }

        return watch;
    }

    internal void Remove(MonitorWatch watch)
    {
        lock (_gate)
        {
            _watches = [.. _watches.Where(w => w != watch)];
        }
    }

    /// <summary>
    /// The start of a call to observe, or null when nobody watches (or the call is a monitor's own,
    /// which would report itself).
    /// </summary>
    internal ObservedCall? Begin(ServerCallContext call, object request) =>
        IsWatched && !call.Method.StartsWith(MonitorServicePrefix, StringComparison.Ordinal)
            ? new ObservedCall(this, call, request, _time.GetUtcNow(), _time.GetTimestamp())
            : null;

    /// <summary>The monitor service's own methods, left out.</summary>
    internal const string MonitorServicePrefix = "/remotemodel.v1.Monitor/";

    private void Publish(CallRecord record)
    {
        foreach (var watch in Volatile.Read(ref _watches))
        {
            watch.Offer(record);
        }
    }

    /// <summary>One call being observed, from its arrival.</summary>
    internal sealed class ObservedCall(CallMonitor monitor, ServerCallContext call, object request, DateTimeOffset time, long started)
    {
        /// <summary>Reports the start of a stream, once it has been verified.</summary>
        public void Started() => monitor.Publish(Record(StatusCode.OK, null, TimeSpan.Zero, started: true));

        /// <summary>Reports the call's end, with the status it ended with.</summary>
        public void Ended(Status status) =>
            monitor.Publish(Record(status.StatusCode, string.IsNullOrEmpty(status.Detail) ? null : status.Detail, monitor._time.GetElapsedTime(started), started: false));

        /// <summary>Reports the call's end by an exception, with the status the client gets for it.</summary>
        public void Failed(Exception exception) => Ended(exception switch
        {
            RpcException rpc => rpc.Status,
            OperationCanceledException => new Status(StatusCode.Cancelled, "the call was cancelled"),
            _ => new Status(StatusCode.Unknown, exception.GetType().Name),
        });

        private CallRecord Record(StatusCode status, string? detail, TimeSpan duration, bool started)
        {
            var message = request as IMessage;
            return new CallRecord(time, call.Method, message is null ? null : NameOf(message), call.RequestHeaders.GetValue(CallerHeader),
                monitor._verifier?.KeyIdOf(call), call.Peer, status, detail, duration, message is null ? null : ValuesOf(message), started);
        }
    }

    /// <summary>The request's <c>model</c> or <c>name</c>, at its top or one message down (a registration's name).</summary>
    private static string? NameOf(IMessage message)
    {
        if (TopName(message) is { Length: > 0 } name)
        {
            return name;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType == FieldType.Message && !field.IsRepeated && field.Accessor.GetValue(message) is IMessage inner && TopName(inner) is { Length: > 0 } innerName)
            {
                return innerName;
            }
        }

        return null;
    }

    private static string? TopName(IMessage message) =>
        (message.Descriptor.FindFieldByName("model") ?? message.Descriptor.FindFieldByName("name")) is { FieldType: FieldType.String, IsRepeated: false } field
            ? (string)field.Accessor.GetValue(message)
            : null;

    /// <summary>A request's <c>values</c> map (Modify's), each value as text: <c>"ACME"</c>, <c>2.5</c>.</summary>
    private static Dictionary<string, string>? ValuesOf(IMessage message)
    {
        if (message.Descriptor.FindFieldByName("values") is not { IsMap: true } field || field.Accessor.GetValue(message) is not System.Collections.IDictionary map || map.Count == 0)
        {
            return null;
        }

        var values = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in map)
        {
            values[entry.Key.ToString() ?? string.Empty] = Text(entry.Value);
        }

        return values;
    }

    /// <summary>A value as a person reads it: a one-of message by the member that is set.</summary>
    private static string Text(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        bool flag => flag ? "true" : "false",
        ByteString bytes => $"<{bytes.Length} bytes>",
        IMessage message when message.Descriptor.Oneofs.Count == 1 && message.Descriptor.Oneofs[0].Accessor.GetCaseFieldDescriptor(message) is { } set
            => Text(set.Accessor.GetValue(message)),
        IMessage message => JsonFormatter.Default.Format(message),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
