using System.Text.Json.Serialization;

namespace RemoteModel.Naming.Etcd.Gateway;

// The messages of etcd's v3 JSON gateway (etcdserverpb as grpc-gateway renders it), only the
// fields this store uses. Names are the proto field names, spelled exactly: the gateway ignores a
// name it does not know (a camel-cased "ttl" would silently ask for a TTL of 0). Keys and values
// are base64 (byte[]); int64 fields travel as JSON strings; fields at their default value are left
// out of answers, so every field here has the proto default as its own.

/// <summary>What every answer carries: the cluster revision it is as of.</summary>
internal sealed class ResponseHeader
{
    [JsonPropertyName("revision")]
    public long Revision { get; set; }

    [JsonPropertyName("member_id")]
    public ulong MemberId { get; set; }
}

/// <summary>One key with its value and history.</summary>
internal sealed class KeyValue
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("create_revision")]
    public long CreateRevision { get; set; }

    [JsonPropertyName("mod_revision")]
    public long ModRevision { get; set; }

    [JsonPropertyName("version")]
    public long Version { get; set; }

    [JsonPropertyName("value")]
    public byte[] Value { get; set; } = [];

    [JsonPropertyName("lease")]
    public long Lease { get; set; }
}

internal sealed class LeaseGrantRequest
{
    [JsonPropertyName("TTL")]
    public long Ttl { get; set; }
}

internal sealed class LeaseGrantResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }

    [JsonPropertyName("ID")]
    public long Id { get; set; }

    [JsonPropertyName("TTL")]
    public long Ttl { get; set; }

    /// <summary>Set when etcd could not grant the lease.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

/// <summary>Names one lease: for keep-alive and revoke.</summary>
internal sealed class LeaseRequest
{
    [JsonPropertyName("ID")]
    public long Id { get; set; }
}

/// <summary>A keep-alive's answer; no TTL (0) when the lease is gone.</summary>
internal sealed class LeaseKeepAliveResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }

    [JsonPropertyName("ID")]
    public long Id { get; set; }

    [JsonPropertyName("TTL")]
    public long Ttl { get; set; }
}

internal sealed class LeaseRevokeResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }
}

internal sealed class RangeRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    /// <summary>Null for the one key; otherwise the end (exclusive) of the range.</summary>
    [JsonPropertyName("range_end")]
    public byte[]? RangeEnd { get; set; }

    /// <summary><c>ASCEND</c> or <c>DESCEND</c>; null for etcd's own order (which is by key).</summary>
    [JsonPropertyName("sort_order")]
    public string? SortOrder { get; set; }

    /// <summary><c>KEY</c>, <c>VERSION</c>, <c>CREATE</c>, <c>MOD</c> or <c>VALUE</c>.</summary>
    [JsonPropertyName("sort_target")]
    public string? SortTarget { get; set; }
}

internal sealed class RangeResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }

    [JsonPropertyName("kvs")]
    public List<KeyValue> Kvs { get; set; } = [];

    [JsonPropertyName("more")]
    public bool More { get; set; }

    [JsonPropertyName("count")]
    public long Count { get; set; }
}

internal sealed class PutRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("value")]
    public byte[] Value { get; set; } = [];

    /// <summary>The lease that owns the key, or null for none (which also detaches it from any lease).</summary>
    [JsonPropertyName("lease")]
    public long? Lease { get; set; }
}

internal sealed class PutResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }
}

internal sealed class DeleteRangeRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("range_end")]
    public byte[]? RangeEnd { get; set; }

    [JsonPropertyName("prev_kv")]
    public bool? PrevKv { get; set; }
}

internal sealed class DeleteRangeResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }

    [JsonPropertyName("deleted")]
    public long Deleted { get; set; }

    [JsonPropertyName("prev_kvs")]
    public List<KeyValue> PrevKvs { get; set; } = [];
}

/// <summary>One condition of a transaction: only "the key's create revision equals N" is used here.</summary>
internal sealed class Compare
{
    /// <summary><c>EQUAL</c>, <c>GREATER</c>, <c>LESS</c> or <c>NOT_EQUAL</c>.</summary>
    [JsonPropertyName("result")]
    public string Result { get; set; } = "EQUAL";

    /// <summary><c>VERSION</c>, <c>CREATE</c>, <c>MOD</c>, <c>VALUE</c> or <c>LEASE</c>.</summary>
    [JsonPropertyName("target")]
    public string Target { get; set; } = "CREATE";

    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    /// <summary>Sent even when 0 ("the key does not exist"): it selects the compared field.</summary>
    [JsonPropertyName("create_revision")]
    public long CreateRevision { get; set; }
}

/// <summary>One operation of a transaction: exactly one field is set.</summary>
internal sealed class RequestOp
{
    [JsonPropertyName("request_range")]
    public RangeRequest? RequestRange { get; set; }

    [JsonPropertyName("request_put")]
    public PutRequest? RequestPut { get; set; }
}

internal sealed class ResponseOp
{
    [JsonPropertyName("response_range")]
    public RangeResponse? ResponseRange { get; set; }

    [JsonPropertyName("response_put")]
    public PutResponse? ResponsePut { get; set; }
}

internal sealed class TxnRequest
{
    [JsonPropertyName("compare")]
    public List<Compare> Compare { get; set; } = [];

    [JsonPropertyName("success")]
    public List<RequestOp> Success { get; set; } = [];

    [JsonPropertyName("failure")]
    public List<RequestOp> Failure { get; set; } = [];
}

internal sealed class TxnResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }

    /// <summary>Whether the comparisons held (the success branch ran); left out when false.</summary>
    [JsonPropertyName("succeeded")]
    public bool Succeeded { get; set; }

    [JsonPropertyName("responses")]
    public List<ResponseOp> Responses { get; set; } = [];
}

internal sealed class WatchCreateRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("range_end")]
    public byte[]? RangeEnd { get; set; }

    [JsonPropertyName("start_revision")]
    public long StartRevision { get; set; }

    [JsonPropertyName("prev_kv")]
    public bool PrevKv { get; set; }
}

internal sealed class WatchRequest
{
    [JsonPropertyName("create_request")]
    public WatchCreateRequest? CreateRequest { get; set; }
}

internal sealed class WatchResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader? Header { get; set; }

    [JsonPropertyName("watch_id")]
    public long WatchId { get; set; }

    [JsonPropertyName("created")]
    public bool Created { get; set; }

    [JsonPropertyName("canceled")]
    public bool Canceled { get; set; }

    /// <summary>Set when the watch asked for a revision etcd has compacted away.</summary>
    [JsonPropertyName("compact_revision")]
    public long CompactRevision { get; set; }

    [JsonPropertyName("cancel_reason")]
    public string? CancelReason { get; set; }

    [JsonPropertyName("events")]
    public List<WatchEvent> Events { get; set; } = [];
}

internal sealed class WatchEvent
{
    /// <summary><c>DELETE</c>, or null (left out) for <c>PUT</c>, the default.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("kv")]
    public KeyValue? Kv { get; set; }

    [JsonPropertyName("prev_kv")]
    public KeyValue? PrevKv { get; set; }

    public bool IsDelete => string.Equals(Type, "DELETE", StringComparison.Ordinal);
}

/// <summary>
/// One message of a streamed answer (watch, keep-alive): the gateway wraps each in <c>result</c>,
/// or sends an <c>error</c> instead, still under HTTP 200.
/// </summary>
internal sealed class StreamMessage<T>
    where T : class
{
    [JsonPropertyName("result")]
    public T? Result { get; set; }

    [JsonPropertyName("error")]
    public StreamError? Error { get; set; }
}

/// <summary>An error inside a stream.</summary>
internal sealed class StreamError
{
    [JsonPropertyName("grpc_code")]
    public int GrpcCode { get; set; }

    [JsonPropertyName("http_code")]
    public int HttpCode { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

/// <summary>The body of a unary answer that is not 2xx.</summary>
internal sealed class ErrorResponse
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>The gRPC status code.</summary>
    [JsonPropertyName("code")]
    public int Code { get; set; }
}
