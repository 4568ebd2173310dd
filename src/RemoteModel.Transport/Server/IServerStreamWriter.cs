namespace RemoteModel.Transport.Server;

/// <summary>Where a server-streaming handler writes its responses.</summary>
/// <typeparam name="T">The response message.</typeparam>
public interface IServerStreamWriter<T>
    where T : class, Google.Protobuf.IMessage<T>
{
    /// <summary>
    /// Sends one message. Completes when the transport has taken it, which waits while the
    /// peer's flow-control window is full: a slow reader slows only its own stream.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call has already ended (deadline, cancellation).</exception>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends <paramref name="messages"/>, already serialized, in order and then flushes once: they
    /// leave in as few HTTP/2 DATA frames as fit, rather than one frame and one flush a message.
    /// A sealed call still seals each message, in order. Completes as <see cref="WriteAsync(T, CancellationToken)"/> does.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call has already ended (deadline, cancellation).</exception>
    async Task WriteAsync(IReadOnlyList<SerializedMessage<T>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            await WriteAsync(message.Message, cancellationToken).ConfigureAwait(false);
        }
    }
}
