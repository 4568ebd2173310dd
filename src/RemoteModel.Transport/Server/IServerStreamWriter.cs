namespace RemoteModel.Transport.Server;

/// <summary>Where a server-streaming handler writes its responses.</summary>
/// <typeparam name="T">The response message.</typeparam>
public interface IServerStreamWriter<in T>
{
    /// <summary>
    /// Sends one message. Completes when the transport has taken it, which waits while the
    /// peer's flow-control window is full: a slow reader slows only its own stream.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call has already ended (deadline, cancellation).</exception>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
