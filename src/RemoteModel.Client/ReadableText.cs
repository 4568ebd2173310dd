using System.Collections;
using System.Globalization;
using Google.Protobuf;
using RemoteModel.Models;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using Grpc.Core;

namespace RemoteModel.Client;

/// <summary>
/// Results as people read them, the way the controller prints them: values as in the viewer
/// (<c>101.2</c>, <c>"RMDL"</c>, <c>[1, 2]</c>), a model's state as <c>{ Price = 101.2 } @v42</c>,
/// schemas, viewers, models, history and registrations as tables.
/// </summary>
public static class ReadableText
{
    /// <summary>The text of <paramref name="value"/>.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        ModelSnapshot or InvokeResult or ModelProxy or HeldLock => value.ToString()!,
        LockInfo held => held.ToDisplayString(),
        Value wire => wire.ToDisplayString(),
        ModelDescription description => DescriptionText.Render(description),
        IEnumerable<ViewerInfo> viewers => Viewers(viewers.ToList()),
        IEnumerable<ModelSummary> models => Models(models.ToList()),
        IEnumerable<AuditRecord> history => History(history.ToList()),
        IEnumerable<Registration> registrations => Registrations(registrations.ToList()),
        ListResponse list => Registrations(list.Registrations),
        Registration registration => Registrations([registration]),
        IMessage message => JsonFormatter.Default.Format(message),
        string or bool or byte or sbyte or short or ushort or int or uint or long or ulong or double or float
            or DateTime or DateTimeOffset or TimeSpan or byte[] or Enum => ModelValues.ToValue(value).ToDisplayString(),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        IDictionary dictionary => $"{{ {string.Join(", ", dictionary.Keys.Cast<object>().Select(k => $"{k as string ?? Format(k)} = {Format(dictionary[k])}"))} }}",
        IEnumerable items when Convertible(items) is { } wire => wire.ToDisplayString(),
        IEnumerable items => $"[{string.Join(", ", items.Cast<object?>().Select(Format))}]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>
    /// What went wrong, in one line: a model's refusal with its status
    /// (<c>ticker refused Modify { Rate = 500 }: ... (OUT_OF_RANGE)</c>), a failed call's status
    /// and message, or an exception's type and message.
    /// </summary>
    public static string Error(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var inner = Unwrap(exception);
        var text = inner switch
        {
            ModelCallException or NameServerUnreachableException => inner.Message,
            RpcException rpc => rpc.Status.Detail.Length == 0 ? EnumNames.Of(rpc.StatusCode) : $"{rpc.Status.Detail} ({EnumNames.Of(rpc.StatusCode)})",
            OperationCanceledException => "cancelled",
            _ => $"{inner.GetType().Name}: {inner.Message}",
        };
        return text.ReplaceLineEndings(" ");
    }

    /// <summary>The exception that says what happened, out of the wrappers reflection and tasks put around it.</summary>
    internal static Exception Unwrap(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Unwrap(aggregate.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => exception,
    };

    /// <summary>Named values as <c>{ Price = 101.2, Symbol = "RMDL" }</c>, in name order.</summary>
    internal static string Values(IEnumerable<KeyValuePair<string, Value>> values) =>
        $"{{ {string.Join(", ", values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key} = {v.Value.ToDisplayString()}"))} }}";

    /// <summary>A list or map whose items all travel on the wire, as the wire value it makes.</summary>
    private static Value? Convertible(IEnumerable items)
    {
        try
        {
            return ModelValues.ToValue(items);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    private static string Viewers(IReadOnlyList<ViewerInfo> viewers) =>
        viewers.Count == 0 ? "(no viewers)" : TextTable.Render(
            ["VIEWER", "PEER", "CONNECTED", "MODE", "SENT", "RESYNCS"],
            viewers.Select(v => new[]
            {
                v.Name, v.Peer, Time(v.ConnectedAt), EnumNames.Of(v.Mode),
                v.NotificationsSent.ToString(CultureInfo.InvariantCulture), v.Resyncs.ToString(CultureInfo.InvariantCulture),
            }));

    private static string Models(IReadOnlyList<ModelSummary> models) =>
        models.Count == 0 ? "(no models)" : TextTable.Render(
            ["MODEL", "TYPE", "VERSION", "STATE", "LOCK"],
            models.Select(m => new[]
            {
                m.Model, m.TypeName, $"v{m.Version}", m.State == LifecycleState.Unspecified ? "-" : EnumNames.Of(m.State), m.Lock.ToDisplayString(),
            }));

    private static string History(IReadOnlyList<AuditRecord> records) =>
        records.Count == 0 ? "(no history)" : TextTable.Render(
            ["TIME", "VERSION", "CALLER", "ACTION", "OUTCOME", "CHANGES"],
            records.Select(r => new[]
            {
                Time(r.Time), $"v{r.Version}", r.Caller, r.Action,
                r.StatusCode == 0 ? "OK" : $"{EnumNames.Of((StatusCode)r.StatusCode)}: {r.StatusMessage}",
                r.Changes.Count == 0 ? string.Empty : Values(r.Changes),
            }));

    private static string Registrations(IReadOnlyList<Registration> registrations) =>
        registrations.Count == 0 ? "(no registrations)" : TextTable.Render(
            ["NAME", "KIND", "ENDPOINTS", "METADATA"],
            registrations.Select(r => new[]
            {
                r.Name, r.Kind, string.Join(' ', r.Endpoints),
                string.Join(' ', r.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")),
            }));

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp? time) =>
        time?.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "-";
}
