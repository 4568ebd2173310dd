using System.Text.Json.Serialization;

namespace RemoteModel.Naming.Etcd.Gateway;

/// <summary>
/// The gateway's JSON: names exactly as declared (never camel-cased), int64 written as strings
/// and read from strings, and null (unset) fields left out.
/// </summary>
[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(LeaseGrantRequest))]
[JsonSerializable(typeof(LeaseGrantResponse))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(StreamMessage<LeaseKeepAliveResponse>))]
[JsonSerializable(typeof(LeaseRevokeResponse))]
[JsonSerializable(typeof(RangeRequest))]
[JsonSerializable(typeof(RangeResponse))]
[JsonSerializable(typeof(DeleteRangeRequest))]
[JsonSerializable(typeof(DeleteRangeResponse))]
[JsonSerializable(typeof(TxnRequest))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(WatchRequest))]
[JsonSerializable(typeof(StreamMessage<WatchResponse>))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
