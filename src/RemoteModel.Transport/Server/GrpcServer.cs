using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Transport.Authentication;
using RemoteModel.Transport.Health;
using RemoteModel.Transport.Reflection;

namespace RemoteModel.Transport.Server;

/// <summary>
/// A gRPC server on Kestrel: the services it was built with, plus the standard health and
/// reflection services, on one or more endpoints. Start it, read <see cref="Addresses"/> for the ports it got, stop it.
/// </summary>
public sealed partial class GrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly IReadOnlyList<GrpcEndpoint> _endpoints;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;
    private bool _started;

    internal GrpcServer(
        IReadOnlyList<GrpcEndpoint> endpoints,
        IReadOnlyList<ServiceDefinition> services,
        GrpcServerOptions options,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        CallVerifier? verifier)
    {
        _endpoints = endpoints.Count > 0 ? endpoints : [new GrpcEndpoint()];
        _options = options;
        _logger = loggerFactory.CreateLogger<GrpcServer>();
        Health = new HealthService(services.Select(s => s.Name));

        // An empty builder: no configuration files, no default logging; the caller's logger factory.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => ConfigureKestrel(kestrel));
        _app = builder.Build();

        List<ServiceDefinition> served = [.. services, Health.Bind()];
        if (options.EnableReflection)
        {
            served.AddRange(new ReflectionService(served).Bind());
        }

        var dispatcher = new GrpcRequestDispatcher(
            served, options, timeProvider, verifier, loggerFactory.CreateLogger<GrpcRequestDispatcher>(), _stopping.Token);
        _app.Run(dispatcher.HandleAsync);
    }

    /// <summary>Starts building a server.</summary>
    public static GrpcServerBuilder CreateBuilder() => new();

    /// <summary>The standard health service this server runs; set service statuses through it.</summary>
    public HealthService Health { get; }

    /// <summary>
    /// The addresses the server listens on once started, with the ports it actually got:
    /// <c>http://127.0.0.1:5123</c>, <c>unix:/path</c>.
    /// </summary>
    public IReadOnlyList<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => a.StartsWith("http://unix:", StringComparison.Ordinal) ? a["http://".Length..] : a)
            .ToList() ?? [];

    /// <summary>Starts listening.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
        foreach (var endpoint in _endpoints)
        {
            if (endpoint.Url.StartsWith("unix:", StringComparison.Ordinal) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(endpoint.Url["unix:".Length..], _options.UnixSocketMode);
            }
        }

        LogListening(string.Join(", ", Addresses));
    }

    /// <summary>
    /// Stops: the health service turns NOT_SERVING, open streams end with UNAVAILABLE, unary calls
    /// get <see cref="GrpcServerOptions.ShutdownTimeout"/> to finish.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            return;
        }

        _started = false;
        await Health.ShutdownAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        LogStopped();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        kestrel.AddServerHeader = false;
        var limits = kestrel.Limits;
        // Long-lived, mostly idle streams are the normal case here: no minimum data rates, no
        // request body cap (message sizes are limited per message), many streams per connection.
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.MaxRequestBodySize = null;
        limits.Http2.MaxStreamsPerConnection = _options.MaxStreamsPerConnection;
        limits.Http2.KeepAlivePingDelay = _options.KeepAlivePingDelay;
        limits.Http2.KeepAlivePingTimeout = _options.KeepAlivePingTimeout;

        foreach (var endpoint in _endpoints)
        {
            Listen(kestrel, endpoint);
        }
    }

    private static void Listen(KestrelServerOptions kestrel, GrpcEndpoint endpoint)
    {
        var url = endpoint.Url;
        if (url.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = url["unix:".Length..];
            if (File.Exists(path))
            {
                // A socket file left by a server that died; binding fails while it is there.
                File.Delete(path);
            }

            kestrel.ListenUnixSocket(path, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(UnsupportedProtocol.RefuseHttp1OnCleartext);
            });
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"Endpoint '{url}' is not http://host:port, https://host:port or unix:/path.");
        }

        var port = uri.Port;
        Action<ListenOptions> configure = uri.Scheme == "https"
            ? listen =>
            {
                // HTTP/1.1 stays enabled so an HTTP/1.1 client is told why in a gRPC status.
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(LoadCertificate(endpoint));
            }
            : listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(UnsupportedProtocol.RefuseHttp1OnCleartext);
            };

        switch (uri.Host)
        {
            case "localhost":
                kestrel.ListenLocalhost(port, configure);
                break;
            case "*" or "+" or "0.0.0.0":
                kestrel.Listen(IPAddress.Any, port, configure);
                break;
            case "[::]":
                kestrel.Listen(IPAddress.IPv6Any, port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), port, configure);
                break;
        }
    }

    private static X509Certificate2 LoadCertificate(GrpcEndpoint endpoint)
    {
        var path = endpoint.CertificatePath
            ?? throw new ArgumentException($"Endpoint '{endpoint.Url}' is https and needs a certificate: set CertificatePath.");
        return endpoint.CertificateKeyPath is { } keyPath
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC server listening on {Addresses}")]
    private partial void LogListening(string addresses);

    [LoggerMessage(Level = LogLevel.Information, Message = "gRPC server stopped")]
    private partial void LogStopped();
}
