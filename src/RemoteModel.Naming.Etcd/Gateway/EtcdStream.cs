using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RemoteModel.Naming.Etcd.Gateway;

/// <summary>
/// The answer of a streaming gateway method: one JSON object per line, each
/// <c>{"result": ...}</c> or <c>{"error": ...}</c>. Disposing it closes the connection, which
/// ends the call on etcd's side (a watch is cancelled).
/// </summary>
internal sealed class EtcdStream<T>(Uri endpoint, string path, HttpResponseMessage response, JsonTypeInfo<StreamMessage<T>> type)
    : IAsyncDisposable
    where T : class
{
    private StreamReader? _reader;

    /// <summary>The member this stream is with.</summary>
    public Uri Endpoint { get; } = endpoint;

    /// <summary>The next message, or null when the stream has ended.</summary>
    /// <exception cref="EtcdGatewayException">etcd sent an error instead of a message.</exception>
    /// <exception cref="IOException">The connection broke.</exception>
    public async Task<T?> ReadAsync(CancellationToken cancellationToken)
    {
        _reader ??= new StreamReader(
            await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
        string? line;
        do
        {
            line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        while (line is { Length: 0 });

        if (line is null)
        {
            return null;
        }

        StreamMessage<T>? message;
        try
        {
            message = JsonSerializer.Deserialize(line, type);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message?.Error is { } error)
        {
            throw new EtcdGatewayException(Endpoint, error.HttpCode, error.GrpcCode, error.Message ?? "(no message)");
        }

        return message?.Result ?? throw EtcdGatewayClient.NotTheGateway(Endpoint, path, EtcdGatewayClient.Snippet(Encoding.UTF8.GetBytes(line)));
    }

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
