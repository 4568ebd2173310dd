using Grpc.Core;

namespace RemoteModel.Models.Server;

/// <summary>The one place a model's refusal becomes a gRPC status: each <see cref="ModelErrorReason"/> is the status of the same name.</summary>
internal static class ModelErrorStatus
{
    public static StatusCode Code(ModelErrorReason reason) => reason switch
    {
        ModelErrorReason.InvalidArgument => StatusCode.InvalidArgument,
        ModelErrorReason.NotFound => StatusCode.NotFound,
        ModelErrorReason.AlreadyExists => StatusCode.AlreadyExists,
        ModelErrorReason.PermissionDenied => StatusCode.PermissionDenied,
        ModelErrorReason.ResourceExhausted => StatusCode.ResourceExhausted,
        ModelErrorReason.FailedPrecondition => StatusCode.FailedPrecondition,
        ModelErrorReason.Aborted => StatusCode.Aborted,
        ModelErrorReason.OutOfRange => StatusCode.OutOfRange,
        ModelErrorReason.Unimplemented => StatusCode.Unimplemented,
        _ => StatusCode.Unknown,
    };

    public static RpcException ToRpcException(ModelException exception) => new(new Status(Code(exception.Reason), exception.Message));
}
