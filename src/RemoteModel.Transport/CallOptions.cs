namespace RemoteModel.Transport;

/// <summary>What a client sets for one call.</summary>
public readonly record struct CallOptions
{
    /// <summary>How long the call may take; sent as <c>grpc-timeout</c> and enforced on both sides.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Custom metadata sent as request headers.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>Cancels the call; the server's handler sees its token fire.</summary>
    public CancellationToken CancellationToken { get; init; }
}
