using Grpc.Core;
using Grpc.Net.Client.Balancer;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using RemoteModel.Naming.V1;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Client;

/// <summary>
/// The <c>name:</c> scheme for grpc-dotnet's resolver model: a stock <c>GrpcChannel</c> made for
/// <c>name:///ticker</c> finds the ticker's endpoints through the name server and follows them
/// live (it watches the registration), so a model server that comes back on another port is found.
/// <code>
/// var services = new ServiceCollection().AddSingleton&lt;ResolverFactory&gt;(new NameResolverFactory(signer)).BuildServiceProvider();
/// using var channel = GrpcChannel.ForAddress("name:///ticker", new GrpcChannelOptions { ServiceProvider = services, Credentials = ChannelCredentials.Insecure });
/// </code>
/// <c>name://nshost:9090/ticker</c> names the name server; without one it is found as every tool
/// finds it (<see cref="NameServerLocator"/>). The registration's <c>http://</c> and <c>https://</c>
/// endpoints are used (the channel's credentials choose cleartext or TLS); <c>unix:</c> ones are not.
/// </summary>
/// <param name="signer">What signs the watch (null: unsigned, for open reads).</param>
/// <param name="timeProvider">The clock of the waits between attempts to reach the name server.</param>
public sealed class NameResolverFactory(CallSigner? signer = null, TimeProvider? timeProvider = null) : ResolverFactory
{
    /// <summary>The wait before watching again after the name server could not be reached.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public override string Name => "name";

    /// <inheritdoc />
    public override Resolver Create(ResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Address.AbsolutePath.TrimStart('/');
        var nameServer = string.IsNullOrEmpty(options.Address.Authority) ? null : options.Address.Authority;
        return new NameResolver(name, NameServerLocator.Resolve(nameServer), signer, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Hands the channel the registration's addresses whenever they change, from one watch of the name.</summary>
    private sealed class NameResolver(string name, string nameServer, CallSigner? signer, TimeProvider time) : Resolver
    {
        private readonly CancellationTokenSource _stopping = new();
        private Task? _watching;

        public override void Start(Action<ResolverResult> listener) => _watching = WatchAsync(listener, _stopping.Token);

        // The watch hands on every change as it happens: there is nothing to look up again on request.
        public override void Refresh()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _stopping.Cancel();
                _stopping.Dispose();
            }
        }

        private async Task WatchAsync(Action<ResolverResult> listener, CancellationToken stopping)
        {
            await Task.Yield();
            using var channel = SignedChannel.ForAddress(nameServer, signer);
            var client = new NamingClient(channel);
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    using var watch = client.Watch(new Selector { Prefix = name }, new CallOptions(cancellationToken: stopping));
                    var registered = false;
                    await foreach (var change in watch.ResponseStream.ReadAllAsync(stopping).ConfigureAwait(false))
                    {
                        if (change.Registration?.Name == name && change.Type is not WatchEvent.Types.Type.Unregistered)
                        {
                            registered = true;
                            listener(Addresses(change.Registration));
                        }
                        else if (change.Type is WatchEvent.Types.Type.SnapshotEnd && !registered
                            || change.Registration?.Name == name && change.Type is WatchEvent.Types.Type.Unregistered)
                        {
                            registered = false;
                            listener(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"no registration named '{name}' at the name server {nameServer}")));
                        }
                    }
                }
                catch (RpcException ex) when (!stopping.IsCancellationRequested)
                {
                    listener(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"watching '{name}' at the name server {nameServer}: {ex.Status.Detail}")));
                }
                catch (Exception) when (stopping.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    await Task.Delay(RetryDelay, time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private ResolverResult Addresses(Registration registration)
        {
            var addresses = registration.Endpoints
                .Select(endpoint => Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? new BalancerAddress(uri.Host, uri.Port) : null)
                .OfType<BalancerAddress>()
                .ToList();
            return addresses.Count > 0
                ? ResolverResult.ForResult(addresses)
                : ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"'{name}' is registered without an http or https endpoint"));
        }
    }
}
