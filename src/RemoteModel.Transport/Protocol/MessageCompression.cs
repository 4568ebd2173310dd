using System.Buffers;
using System.IO.Compression;

namespace RemoteModel.Transport.Protocol;

/// <summary>Decompression of received messages. Sent messages are never compressed (identity).</summary>
internal static class MessageCompression
{
    /// <summary>True when this implementation can decompress <paramref name="encoding"/>.</summary>
    public static bool IsSupported(string? encoding) =>
        encoding is null or GrpcProtocol.IdentityEncoding or GrpcProtocol.GzipEncoding;

    public static ReadOnlySequence<byte> Decompress(ReadOnlySequence<byte> payload, string? encoding, int maxMessageSize)
    {
        if (encoding is null or GrpcProtocol.IdentityEncoding)
        {
            throw new RpcException(StatusCode.Internal,
                "A message is marked compressed, but the call's grpc-encoding is identity.");
        }

        if (encoding != GrpcProtocol.GzipEncoding)
        {
            throw new RpcException(StatusCode.Unimplemented,
                $"Message compression '{encoding}' is not supported; supported: {GrpcProtocol.SupportedEncodings}.");
        }

        using var input = new ReadOnlySequenceStream(payload);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = gzip.Read(chunk, 0, chunk.Length)) > 0)
            {
                // Checked while inflating, so a small compressed bomb cannot fill memory.
                if (output.Length + read > maxMessageSize)
                {
                    throw new RpcException(StatusCode.ResourceExhausted,
                        $"Received message exceeds the maximum configured message size once decompressed (> {maxMessageSize} bytes).");
                }

                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException)
        {
            throw new RpcException(StatusCode.Internal, "A gzip-compressed message is corrupt.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return new ReadOnlySequence<byte>(output.GetBuffer(), 0, (int)output.Length);
    }

    /// <summary>A read-only stream over a sequence, so GZipStream can inflate without a copy.</summary>
    private sealed class ReadOnlySequenceStream(ReadOnlySequence<byte> sequence) : Stream
    {
        private ReadOnlySequence<byte> _remaining = sequence;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var take = (int)Math.Min(count, _remaining.Length);
            _remaining.Slice(0, take).CopyTo(buffer.AsSpan(offset, take));
            _remaining = _remaining.Slice(take);
            return take;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
