using Grpc.Core;

namespace RemoteModel.Models.Values;

/// <summary>A value that does not fit where it was sent: the wrong type (INVALID_ARGUMENT) or out of range (OUT_OF_RANGE).</summary>
internal sealed class ValueConversionException(StatusCode code, string message) : Exception(message)
{
    public StatusCode Code { get; } = code;

    public RpcException ToRpc() => new(new Status(Code, Message));
}
