namespace RemoteModel.Models.Runtime;

/// <summary>
/// How a model's own exceptions become refusals, with the model's message: a
/// <see cref="ModelException"/> as it is; ArgumentOutOfRangeException -> OUT_OF_RANGE; other
/// ArgumentException -> INVALID_ARGUMENT; InvalidOperationException -> FAILED_PRECONDITION;
/// NotSupportedException and NotImplementedException -> UNIMPLEMENTED; anything else -> UNKNOWN,
/// naming the exception type.
/// </summary>
internal static class ModelErrors
{
    public static ModelException From(Exception exception, string what) => exception switch
    {
        ModelException refused => refused,
        ArgumentOutOfRangeException => new ModelException(ModelErrorReason.OutOfRange, $"{what} failed: {exception.Message}"),
        ArgumentException => new ModelException(ModelErrorReason.InvalidArgument, $"{what} failed: {exception.Message}"),
        InvalidOperationException => new ModelException(ModelErrorReason.FailedPrecondition, $"{what} failed: {exception.Message}"),
        NotSupportedException or NotImplementedException => new ModelException(ModelErrorReason.Unimplemented, $"{what} failed: {exception.Message}"),
        _ => new ModelException(ModelErrorReason.Unknown, $"{what} failed with {exception.GetType().Name}: {exception.Message}"),
    };
}
