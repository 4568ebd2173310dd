using RemoteModel.Testing;

namespace RemoteModel.Web.Tests.Browser;

/// <summary>The web executable refuses, at start, to serve other machines unprotected.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("https://0.0.0.0:0")]
    public async Task A_listen_address_beyond_loopback_without_tls_and_login_is_refused_at_start(string listen)
    {
        await using var bed = await ProcessTestBed.StartAsync();
        var web = bed.Track(WebBed.StartWeb(bed.NameServer, ["--listen", listen]));

        Assert.Equal(2, await web.WaitForExitAsync(ProcessTestBed.StartTimeout));
        Assert.Contains("not a loopback address", web.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(web.Lines, line => line.StartsWith("LISTENING", StringComparison.Ordinal));
    }
}
