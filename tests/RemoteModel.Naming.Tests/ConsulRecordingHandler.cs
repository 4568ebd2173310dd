using System.Net;
using System.Text;

namespace RemoteModel.Naming.Tests;

/// <summary>One request the store sent, as it went on the wire.</summary>
internal sealed record ConsulRecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? ContentType, string? Body)
{
    /// <summary>The path as sent, still escaped (a '/' inside an ID stays %2F).</summary>
    public string Path => Uri.AbsolutePath;

    /// <summary>The query parameters in order: name and value (null when the parameter has no '=').</summary>
    public IReadOnlyList<(string Name, string? Value)> Query =>
        Uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Uri.UnescapeDataString(p[0]), p.Length == 2 ? Uri.UnescapeDataString(p[1]) : null))
            .ToList();

    public override string ToString() => $"{Method} {Uri.PathAndQuery}";
}

/// <summary>
/// Stands in for Consul in the request-shape tests: records every request and answers it with
/// whatever the test says (by default an empty 200).
/// </summary>
internal sealed class ConsulRecordingHandler : HttpMessageHandler
{
    private readonly List<ConsulRecordedRequest> _requests = [];

    public Func<ConsulRecordedRequest, CancellationToken, Task<HttpResponseMessage>> Answer { get; set; } =
        (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));

    public IReadOnlyList<ConsulRecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A JSON answer, with an X-Consul-Index header when one is given.</summary>
    public static HttpResponseMessage Json(string json, long? index = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (index is { } consulIndex)
        {
            response.Headers.Add("X-Consul-Index", consulIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return response;
    }

    /// <summary>A plain-text answer, as Consul gives for errors.</summary>
    public static HttpResponseMessage Text(HttpStatusCode status, string text) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var recorded = new ConsulRecordedRequest(request.Method, request.RequestUri!, headers, request.Content?.Headers.ContentType?.MediaType, body);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        return await Answer(recorded, cancellationToken);
    }
}
