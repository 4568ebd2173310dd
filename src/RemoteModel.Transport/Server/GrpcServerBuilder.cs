using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Transport.Authentication;

namespace RemoteModel.Transport.Server;

/// <summary>Collects endpoints, services and options, then builds a <see cref="GrpcServer"/>.</summary>
public sealed class GrpcServerBuilder
{
    private readonly List<GrpcEndpoint> _endpoints = [];
    private readonly List<ServiceDefinition> _services = [];
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private TimeProvider _timeProvider = TimeProvider.System;
    private CallVerifier? _verifier;

    internal GrpcServerBuilder()
    {
    }

    /// <summary>The server's limits; change them directly or through <see cref="Configure"/>.</summary>
    public GrpcServerOptions Options { get; private set; } = new();

    /// <summary>Adjusts the options.</summary>
    public GrpcServerBuilder Configure(Action<GrpcServerOptions> configure)
    {
        configure(Options);
        return this;
    }

    /// <summary>Uses <paramref name="options"/> as they are (bound from configuration, say).</summary>
    public GrpcServerBuilder UseOptions(GrpcServerOptions options)
    {
        Options = options;
        return this;
    }

    /// <summary>Listens on <paramref name="endpoint"/>; without any, the server takes a free loopback port.</summary>
    public GrpcServerBuilder Listen(GrpcEndpoint endpoint)
    {
        _endpoints.Add(endpoint);
        return this;
    }

    /// <summary>Listens on <paramref name="url"/>: <c>http://host:port</c>, <c>https://host:port</c> or <c>unix:/path</c>.</summary>
    public GrpcServerBuilder Listen(string url) => Listen(GrpcEndpoint.Parse(url));

    /// <summary>Serves <paramref name="service"/>.</summary>
    public GrpcServerBuilder AddService(ServiceDefinition service)
    {
        _services.Add(service);
        return this;
    }

    /// <summary>Logs through <paramref name="loggerFactory"/>.</summary>
    public GrpcServerBuilder UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Measures deadlines with <paramref name="timeProvider"/>.</summary>
    public GrpcServerBuilder UseTimeProvider(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>
    /// Checks every call with <paramref name="verifier"/> before its handler runs, and seals the
    /// answers to the calls it verified. Without one, calls are served as they come.
    /// </summary>
    public GrpcServerBuilder UseCallVerifier(CallVerifier? verifier)
    {
        _verifier = verifier;
        return this;
    }

    /// <summary>The server, not yet started.</summary>
    public GrpcServer Build() => new(_endpoints, _services, Options, _loggerFactory, _timeProvider, _verifier);
}
