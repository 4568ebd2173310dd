namespace RemoteModel.Transport.Server;

/// <summary>Where a duplex-streaming handler reads its requests, one at a time, as the client sends them.</summary>
/// <typeparam name="T">The request message.</typeparam>
public interface IAsyncStreamReader<out T>
    where T : class
{
    /// <summary>The request <see cref="MoveNext"/> read last.</summary>
    T Current { get; }

    /// <summary>Reads the next request; false when the client has sent its last one.</summary>
    /// <exception cref="RpcException">A malformed or oversized message (the call ends with its status).</exception>
    Task<bool> MoveNext(CancellationToken cancellationToken);
}
