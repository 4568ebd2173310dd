using System.Net;
using RemoteModel.Testing;

namespace RemoteModel.Web.Tests.Browser;

/// <summary>
/// The web executable on loopback answers only loopback host names, so a hostile page whose name
/// was pointed at 127.0.0.1 (DNS rebinding) cannot drive it; <c>AllowedHosts</c> replaces the list.
/// </summary>
public sealed class HostNameTests
{
    [Fact]
    public async Task On_loopback_a_request_for_another_host_name_is_refused_and_loopback_names_are_served()
    {
        await using var bed = await ProcessTestBed.StartAsync();
        var address = await StartWebAsync(bed);
        var port = new Uri(address).Port;

        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(address, $"evil.example:{port}"));
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(address, "evil.example"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(address, host: null));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(address, $"localhost:{port}"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(address, $"[::1]:{port}"));
    }

    [Fact]
    public async Task AllowedHosts_in_configuration_or_as_a_flag_replaces_the_loopback_names()
    {
        await using var bed = await ProcessTestBed.StartAsync();
        // A top-level key: set in appsettings.json or the environment, as for any ASP.NET Core app.
        var address = await StartWebAsync(bed, new Dictionary<string, string> { ["REMOTEMODEL_AllowedHosts"] = "lab.example" });

        Assert.Equal(HttpStatusCode.OK, await GetAsync(address, "lab.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(address, "evil.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(address, "localhost"));

        // The same setting as a flag.
        var flagged = await StartWebAsync(bed, arguments: ["--listen", "http://127.0.0.1:0", "--allowed-hosts", "lab.example;*.lab.example"]);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(flagged, "web.lab.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(flagged, "evil.example"));
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(flagged, "localhost"));
    }

    [Fact]
    public async Task Beyond_loopback_the_names_AllowedHosts_allows_are_answered_by_default_any()
    {
        await using var bed = await ProcessTestBed.StartAsync();
        using var certificates = new TemporaryDirectory();
        var (certificate, privateKey) = TestCertificates.WriteSelfSigned(certificates.Path);
        string[] beyondLoopback = ["--listen", "https://0.0.0.0:0", "--require-login", $"--Tls:CertificatePath={certificate}", $"--Tls:KeyPath={privateKey}"];
        var port = new Uri(await StartWebAsync(bed, arguments: beyondLoopback)).Port;
        var address = $"https://127.0.0.1:{port}";

        Assert.Equal(HttpStatusCode.OK, await GetAsync(address, "web.lab.example", "/login"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(address, "evil.example", "/login"));

        var restricted = new Uri(await StartWebAsync(bed, new Dictionary<string, string> { ["REMOTEMODEL_AllowedHosts"] = "web.lab.example" }, beyondLoopback)).Port;
        Assert.Equal(HttpStatusCode.OK, await GetAsync($"https://127.0.0.1:{restricted}", "web.lab.example", "/login"));
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync($"https://127.0.0.1:{restricted}", "evil.example", "/login"));
    }

    private static async Task<string> StartWebAsync(ProcessTestBed bed, IDictionary<string, string>? environment = null, string[]? arguments = null)
    {
        var web = bed.Track(Executables.Start(Executables.Web, ["--ns", bed.NameServer, .. arguments ?? ["--listen", "http://127.0.0.1:0"]], environment));
        return (await web.WaitForLineAsync("LISTENING", ProcessTestBed.StartTimeout)).Split(' ')[0].TrimEnd('/');
    }

    /// <summary>The status of <paramref name="path"/> asked for with <paramref name="host"/> as its Host header (null: the address's own).</summary>
    private static async Task<HttpStatusCode> GetAsync(string address, string? host, string path = "/")
    {
        // The test's self-signed certificate is for no name; what is tested is the Host header.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, address + path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
