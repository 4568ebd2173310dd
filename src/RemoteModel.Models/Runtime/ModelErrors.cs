using RemoteModel.Models.Values;
using Grpc.Core;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// How a model's own exceptions become statuses, with the model's message:
/// ArgumentOutOfRangeException -> OUT_OF_RANGE; other ArgumentException -> INVALID_ARGUMENT;
/// InvalidOperationException -> FAILED_PRECONDITION; NotSupportedException and
/// NotImplementedException -> UNIMPLEMENTED; anything else -> UNKNOWN, naming the exception type.
/// </summary>
internal static class ModelErrors
{
    public static RpcException ToRpc(Exception exception, string what) => exception switch
    {
        RpcException rpc => rpc,
        ValueConversionException conversion => conversion.ToRpc(),
        ArgumentOutOfRangeException => new RpcException(new Status(StatusCode.OutOfRange, $"{what} failed: {exception.Message}")),
        ArgumentException => new RpcException(new Status(StatusCode.InvalidArgument, $"{what} failed: {exception.Message}")),
        InvalidOperationException => new RpcException(new Status(StatusCode.FailedPrecondition, $"{what} failed: {exception.Message}")),
        NotSupportedException or NotImplementedException => new RpcException(new Status(StatusCode.Unimplemented, $"{what} failed: {exception.Message}")),
        _ => new RpcException(new Status(StatusCode.Unknown, $"{what} failed with {exception.GetType().Name}: {exception.Message}")),
    };
}
