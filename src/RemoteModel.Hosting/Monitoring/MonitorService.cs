using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RemoteModel.Grpc.Monitoring;
using RemoteModel.Monitoring.V1;
using RemoteModel.Security;
using RemoteModel.Security.Keys;
using MonitorApi = RemoteModel.Monitoring.V1.Monitor;

namespace RemoteModel.Hosting.Monitoring;

/// <summary>
/// <c>remotemodel.v1.Monitor</c>: the server's <see cref="CallMonitor"/> as a stream, for keys
/// with scope <c>admin</c> (everyone, without <paramref name="permissions"/>: authentication off),
/// filtered as the request asks.
/// </summary>
internal sealed class MonitorService(CallMonitor monitor, KeyPermissions? permissions, IOptions<MonitorOptions> options) : MonitorApi.MonitorBase
{
    public override async Task Watch(MonitorRequest request, IServerStreamWriter<MonitorEvent> stream, ServerCallContext context)
    {
        permissions?.Demand(context, KeyScopes.Admin, string.Empty);
        var limits = options.Value;
        if (request.QueueLength > limits.MaxQueueLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"A monitor queue may hold at most {limits.MaxQueueLength} events (Monitor:MaxQueueLength); {request.QueueLength} was asked."));
        }

        using var watch = monitor.Watch(request.QueueLength == 0 ? limits.QueueLength : (int)request.QueueLength, Filter(request));
        await stream.WriteAsync(new MonitorEvent { Kind = MonitorEvent.Types.Kind.Watching }, context.CancellationToken);
        while (true)
        {
            var (record, dropped) = await watch.ReadAsync(context.CancellationToken);
            await stream.WriteAsync(ToEvent(record, dropped), context.CancellationToken);
        }
    }

    private static Func<CallRecord, bool>? Filter(MonitorRequest request)
    {
        if (request is { Method.Length: 0, NamePrefix.Length: 0, Caller.Length: 0, ErrorsOnly: false })
        {
            return null;
        }

        return record =>
            (request.Method.Length == 0 || record.Method.Contains(request.Method, StringComparison.OrdinalIgnoreCase))
            && (request.NamePrefix.Length == 0 || record.Name?.StartsWith(request.NamePrefix, StringComparison.Ordinal) == true)
            && (request.Caller.Length == 0 || string.Equals(record.Caller, request.Caller, StringComparison.Ordinal) || string.Equals(record.Key, request.Caller, StringComparison.Ordinal))
            && (!request.ErrorsOnly || !record.Started && record.Status != StatusCode.OK);
    }

    private static MonitorEvent ToEvent(CallRecord record, long dropped)
    {
        var monitored = new MonitorEvent
        {
            Kind = record.Started ? MonitorEvent.Types.Kind.CallStarted : MonitorEvent.Types.Kind.CallEnded,
            Time = Timestamp.FromDateTimeOffset(record.Time),
            Method = record.Method,
            Name = record.Name ?? string.Empty,
            Caller = record.Caller ?? string.Empty,
            Key = record.Key ?? string.Empty,
            Peer = record.Peer,
            Status = record.Started ? string.Empty : StatusName(record.Status),
            Detail = record.Detail ?? string.Empty,
            Duration = Duration.FromTimeSpan(record.Duration),
            Dropped = (ulong)dropped,
        };
        foreach (var (name, value) in record.Values ?? new Dictionary<string, string>())
        {
            monitored.Values[name] = value;
        }

        return monitored;
    }

    /// <summary>A status as gRPC's own documents name it: <c>INVALID_ARGUMENT</c>.</summary>
    private static string StatusName(StatusCode code)
    {
        var name = code.ToString();
        return string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) && char.IsLower(name[i - 1]) ? "_" + c : c.ToString())).ToUpperInvariant();
    }
}
