namespace RemoteModel.Transport;

/// <summary>
/// A call that ended with a status other than <see cref="StatusCode.OK"/>. Handlers throw it to
/// answer with that status; clients receive it when a call fails.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception carrying <paramref name="status"/>.</summary>
    public RpcException(Status status, Metadata? trailers = null, Exception? innerException = null)
        : base(status.Detail.Length == 0 ? status.Code.ToString() : $"{status.Code}: {status.Detail}", innerException)
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
    }

    /// <summary>Creates an exception carrying a status of <paramref name="code"/> and <paramref name="detail"/>.</summary>
    public RpcException(StatusCode code, string detail)
        : this(new Status(code, detail))
    {
    }

    /// <summary>The status the call ended with.</summary>
    public Status Status { get; }

    /// <summary>The status code the call ended with.</summary>
    public StatusCode StatusCode => Status.Code;

    /// <summary>Trailers sent with the status (by a handler) or received with it (by a client).</summary>
    public Metadata Trailers { get; }
}
