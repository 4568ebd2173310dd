namespace RemoteModel.Transport;

/// <summary>The outcome of a call: a status code and a message for people.</summary>
/// <param name="Code">The status code.</param>
/// <param name="Detail">The message; empty when there is nothing to say.</param>
public readonly record struct Status(StatusCode Code, string Detail)
{
    /// <summary>The status of a call that succeeded.</summary>
    public static readonly Status Ok = new(StatusCode.OK, string.Empty);

    /// <inheritdoc />
    public override string ToString() =>
        Detail.Length == 0 ? $"Status({Code})" : $"Status({Code}, \"{Detail}\")";
}
