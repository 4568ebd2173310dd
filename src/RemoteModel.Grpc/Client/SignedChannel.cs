using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection;
using RemoteModel.Grpc.Authentication;

namespace RemoteModel.Grpc.Client;

/// <summary>
/// A <see cref="GrpcChannel"/> to one server whose calls are signed by a <see cref="CallSigner"/>
/// (or go unsigned, without one): hand it to any generated client
/// (<c>new Model.ModelClient(channel)</c>). Addresses are <c>http://host:port</c> (cleartext
/// HTTP/2), <c>https://host:port</c> (TLS), <c>unix:/path</c>, or <c>host:port</c> for http; or
/// several servers of one service, comma-separated (<c>http://ns1:9090,http://ns2:9090</c>, one
/// scheme), of which the channel uses the first that answers and moves on to the next when it
/// goes away (name servers sharing one registry). Thread-safe; make one per server and keep it.
/// </summary>
public sealed class SignedChannel : ChannelBase, IDisposable
{
    private SignedChannel(string target, GrpcChannel channel, CallSigner? signer)
        : base(target)
    {
        Channel = channel;
        Signer = signer;
    }

    /// <summary>The stock channel the calls go out on.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>What signs the calls; null: they go unsigned.</summary>
    public CallSigner? Signer { get; }

    /// <summary>A channel to <paramref name="address"/>; no connection is made until the first call.</summary>
    /// <exception cref="ArgumentException">The address is none of the forms above.</exception>
    public static SignedChannel ForAddress(string address, CallSigner? signer = null, ChannelSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        settings ??= new ChannelSettings();
        var handler = new SocketsHttpHandler
        {
            // gRPC needs HTTP/2 end to end: no proxies, redirects, cookies or decompression.
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = settings.ConnectTimeout,
            KeepAlivePingDelay = settings.KeepAlivePingDelay,
            KeepAlivePingTimeout = settings.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };

        Uri uri;
        IServiceProvider? balancing = null;
        ChannelCredentials? credentials = null;
        if (address.Contains(',', StringComparison.Ordinal))
        {
            var servers = address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(a => ParseUrl(a, address)).ToList();
            if (servers.Select(s => s.Scheme).Distinct().Count() != 1)
            {
                throw new ArgumentException($"'{address}' mixes http and https: the servers of one list share a scheme.", nameof(address));
            }

            // pick_first over the list, in its order: grpc-dotnet moves on when the connected server goes away.
            balancing = new ServiceCollection()
                .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => [.. servers.Select(s => new BalancerAddress(s.Host, s.Port))]))
                .BuildServiceProvider();
            uri = new Uri("static:///" + servers[0].Scheme);
            credentials = servers[0].Scheme == "https" ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
            TrustIfAsked(servers[0]);
        }
        else if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = address["unix:".Length..];
            handler.ConnectCallback = (_, cancellationToken) => ConnectUnixAsync(path, cancellationToken);
            uri = new Uri("http://localhost");
        }
        else
        {
            uri = ParseUrl(address, address);
            TrustIfAsked(uri);
        }

        var channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = settings.MaxReceiveMessageSize,
            ServiceProvider = balancing,
            Credentials = credentials,
        });
        return new SignedChannel(address, channel, signer);

        void TrustIfAsked(Uri server)
        {
            if (server.Scheme == "https" && settings.TrustedCertificatePath is { } trusted)
            {
                handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustOnly(trusted) };
            }
        }
    }

    private static Uri ParseUrl(string server, string address)
    {
        var url = server.Contains("://", StringComparison.Ordinal) ? server : "http://" + server;
        return Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
            ? parsed
            : throw new ArgumentException($"'{address}' is not an address: use http://host:port, https://host:port or unix:/path (or several http or https addresses, comma-separated).", nameof(address));
    }

    /// <inheritdoc />
    public override CallInvoker CreateCallInvoker() =>
        Signer is null ? Channel.CreateCallInvoker() : Channel.SignedWith(Signer);

    /// <inheritdoc />
    public void Dispose() => Channel.Dispose();

    /// <inheritdoc />
    protected override Task ShutdownAsyncCore() => Channel.ShutdownAsync();

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Accepts a server certificate issued by (or equal to) the one in <paramref name="path"/>, and only such.</summary>
    private static RemoteCertificateValidationCallback TrustOnly(string path)
    {
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(path);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
    }
}
