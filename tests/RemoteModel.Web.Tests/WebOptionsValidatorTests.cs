using Microsoft.Extensions.Options;
using RemoteModel.Hosting;
using RemoteModel.Web.Hosting;

namespace RemoteModel.Web.Tests;

/// <summary>What the web view refuses at start.</summary>
public sealed class WebOptionsValidatorTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", false, null, true)]
    [InlineData("http://localhost:8080", false, null, true)]
    [InlineData("http://[::1]:8080", false, null, true)]
    [InlineData("http://0.0.0.0:8080", true, "cert.pem", false)]
    [InlineData("https://0.0.0.0:8443", false, "cert.pem", false)]
    [InlineData("https://0.0.0.0:8443", true, null, false)]
    [InlineData("https://0.0.0.0:8443", true, "cert.pem", true)]
    [InlineData("https://10.1.2.3:8443", true, "cert.pem", true)]
    [InlineData("ftp://127.0.0.1:21", false, null, false)]
    [InlineData("https://lab-pc:8443", true, "cert.pem", false)]
    public void Beyond_loopback_needs_tls_and_a_login(string listen, bool requireLogin, string? certificate, bool valid)
    {
        var validator = new WebOptionsValidator(Options.Create(new TlsOptions { CertificatePath = certificate }));

        var result = validator.Validate(null, new WebOptions { Listen = listen, RequireLogin = requireLogin });

        Assert.Equal(valid, result.Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void The_display_rate_is_bounded(double rate)
    {
        var result = new WebOptionsValidator(Options.Create(new TlsOptions())).Validate(null, new WebOptions { DisplayRateHz = rate });

        Assert.Contains("DisplayRateHz", result.FailureMessage, StringComparison.Ordinal);
    }
}
