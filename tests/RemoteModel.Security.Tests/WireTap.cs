namespace RemoteModel.Security.Tests;

/// <summary>
/// Sits in the HTTP handler chain of a stock <c>GrpcChannel</c> (<c>GrpcChannelOptions.HttpHandler</c>):
/// keeps the last request's headers and its response's body and trailers, and, when told, flips
/// one byte of the body before the client reads it: a man in the middle. For calls whose answer
/// ends by itself (unary, finite streams): the body is read to its end before it is handed on.
/// </summary>
/// <param name="flip">The byte of the response body (gRPC framing included) to change; none: the body goes on as it came.</param>
internal sealed class WireTap(Index? flip = null) : DelegatingHandler(new SocketsHttpHandler())
{
    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;

    /// <summary>The response body as it came from the server.</summary>
    public byte[]? ResponseBody { get; private set; }

    public string? RequestHeader(string name) =>
        _request!.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    public string? ResponseTrailer(string name) =>
        _response!.TrailingHeaders.TryGetValues(name, out var values) ? values.Single() : null;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _request = request;
        var response = _response = await base.SendAsync(request, cancellationToken);

        // Reading to the end also fills in the response's trailers, which the client reads from the same response.
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        ResponseBody = body.ToArray();
        if (flip is { } at)
        {
            body[at] ^= 0x01;
        }

        var copy = new ByteArrayContent(body);
        foreach (var header in response.Content.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = copy;
        return response;
    }
}
