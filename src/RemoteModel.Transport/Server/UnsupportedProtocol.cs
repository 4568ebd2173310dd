using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace RemoteModel.Transport.Server;

/// <summary>
/// Answers HTTP/1.x requests with a gRPC status. On a TLS endpoint Kestrel speaks HTTP/1.1 and
/// the dispatcher answers; on a cleartext HTTP/2 endpoint Kestrel would only send a binary GOAWAY,
/// so a connection middleware recognises the request line first and answers in HTTP/1.1 itself.
/// </summary>
internal static class UnsupportedProtocol
{
    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static string Message(string protocol) =>
        $"Request protocol '{protocol}' is not supported: gRPC needs HTTP/2.";

    public static Func<ConnectionDelegate, ConnectionDelegate> RefuseHttp1OnCleartext =>
        next => async connection =>
        {
            if (await IsHttp1RequestAsync(connection.Transport.Input).ConfigureAwait(false))
            {
                await AnswerHttp1Async(connection.Transport.Output).ConfigureAwait(false);
                return;
            }

            await next(connection).ConfigureAwait(false);
        };

    /// <summary>Looks at the first bytes without consuming them, so HTTP/2 reads them again.</summary>
    private static async Task<bool> IsHttp1RequestAsync(PipeReader input)
    {
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var length = (int)Math.Min(buffer.Length, Http2Preface.Length);
            Span<byte> head = stackalloc byte[Http2Preface.Length];
            buffer.Slice(0, length).CopyTo(head);
            var matchesPreface = head[..length].SequenceEqual(Http2Preface.AsSpan(0, length));
            if (matchesPreface && length < Http2Preface.Length && !result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            input.AdvanceTo(buffer.Start);
            // A request line starts with an upper-case method token ("GET ", "POST ").
            return !matchesPreface && length > 0 && head[0] is >= (byte)'A' and <= (byte)'Z';
        }
    }

    private static async Task AnswerHttp1Async(PipeWriter output)
    {
        var text =
            "HTTP/1.1 426 Upgrade Required\r\n" +
            "Connection: close\r\n" +
            "Upgrade: HTTP/2.0\r\n" +
            "Content-Type: application/grpc\r\n" +
            "grpc-status: 13\r\n" +
            $"grpc-message: {Protocol.PercentEncoding.Encode(Message("HTTP/1.1") + " This endpoint speaks cleartext HTTP/2 (prior knowledge).")}\r\n" +
            "Content-Length: 0\r\n\r\n";
        await output.WriteAsync(Encoding.ASCII.GetBytes(text)).ConfigureAwait(false);
        await output.CompleteAsync().ConfigureAwait(false);
    }
}
