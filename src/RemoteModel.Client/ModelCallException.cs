using Grpc.Core;

namespace RemoteModel.Client;

/// <summary>
/// A model call that failed, said in one line with the model, what was asked and the server's
/// status: <c>ticker refused Modify { Rate = 500 }: property 'Rate': 500 is outside 0.1..100 Hz (OUT_OF_RANGE)</c>.
/// The server's status is in <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class ModelCallException : Exception
{
    internal ModelCallException(string model, string request, RpcException cause, bool answeredByModel = true)
        : base(Describe(model, request, cause, answeredByModel), cause)
    {
        Model = model;
        Request = request;
        StatusCode = cause.StatusCode;
    }

    /// <summary>The model called.</summary>
    public string Model { get; }

    /// <summary>What was asked, as in the message: <c>Query</c>, <c>Modify { Rate = 500 }</c>, <c>Invoke Reset</c>.</summary>
    public string Request { get; }

    /// <summary>The status the call ended with.</summary>
    public StatusCode StatusCode { get; }

    private static string Describe(string model, string request, RpcException cause, bool answeredByModel)
    {
        var detail = cause.Status.Detail.Length > 0 ? cause.Status.Detail : "no detail";
        var refused = answeredByModel && cause.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled
            or StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss);
        var outcome = refused ? $"{model} refused {request}" : $"{model}: {request} failed";
        return $"{outcome}: {detail} ({EnumNames.Of(cause.StatusCode)})";
    }
}
