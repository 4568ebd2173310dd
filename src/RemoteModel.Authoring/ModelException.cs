namespace RemoteModel.Models;

/// <summary>
/// A request the model refused, with why: thrown by the model host for every domain error, and by a
/// model's setter or operation that wants a precise answer (a setter's ArgumentException is taken as
/// <see cref="ModelErrorReason.InvalidArgument"/> already). The model service answers it with the
/// status of the same name and this message.
/// </summary>
/// <param name="reason">Why the request was refused.</param>
/// <param name="message">What was wrong, for the caller.</param>
public sealed class ModelException(ModelErrorReason reason, string message) : Exception(message)
{
    /// <summary>Why the request was refused.</summary>
    public ModelErrorReason Reason { get; } = reason;
}
