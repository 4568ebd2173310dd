using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace RemoteModel.Grpc.Tests;

/// <summary>Hand-made HTTP requests (SocketsHttpHandler, or a bare socket), for what no well-behaved gRPC client would send.</summary>
internal static class RawHttp
{
    public sealed record Answer(
        HttpStatusCode HttpStatus, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Trailers, byte[] Body)
    {
        public string? GrpcStatus => Find("grpc-status");

        public string? GrpcMessage => Find("grpc-message");

        /// <summary>A header's value, or the trailer's (a trailers-only answer carries its status in the headers).</summary>
        public string? Find(string name) => Headers.GetValueOrDefault(name) ?? Trailers.GetValueOrDefault(name);
    }

    /// <summary>A gRPC length-prefixed message: the compressed flag, the length (announced, or the payload's), the payload.</summary>
    public static byte[] Frame(byte flag, byte[] payload, int? announcedLength = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(announcedLength ?? payload.Length));
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static async Task<Answer> SendAsync(
        string address, string path, byte[] body, string contentType = "application/grpc",
        HttpMethod? method = null, Version? version = null, IDictionary<string, string>? headers = null,
        SocketsHttpHandler? handler = null)
    {
        using var client = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(new Uri(address), path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (request.Method != HttpMethod.Get)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (key, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }

        using var response = await client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        static Dictionary<string, string> Flatten(HttpHeaders headers) =>
            headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.First());
        return new Answer(response.StatusCode, Flatten(response.Headers), Flatten(response.TrailingHeaders), bytes);
    }

    /// <summary>An HTTP/1.1 request over a plain socket, as a curl without --http2 would send it; everything the server answered before closing.</summary>
    public static async Task<string> SendHttp1Async(string address)
    {
        var uri = new Uri(address);
        using var socket = new TcpClient();
        await socket.ConnectAsync(uri.Host, uri.Port);
        var stream = socket.GetStream();
        var request = $"POST /remotemodel.testing.v1.Echo/Unary HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Type: application/grpc\r\nContent-Length: 5\r\n\r\n\0\0\0\0\0";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
