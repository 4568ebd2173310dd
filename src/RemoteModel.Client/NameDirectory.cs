using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using Grpc.Core;
using RemoteModel.Grpc.Client;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Client;

/// <summary>
/// The name server, for browsing: what is registered under a prefix, and where one name is.
/// Found as <see cref="ClientOptions.NameServer"/> says. Prints registrations as a table through
/// <see cref="ReadableText"/>.
/// </summary>
public sealed class NameDirectory : IDisposable
{
    private readonly ClientOptions _options;
    private readonly SignedChannel _channel;
    private readonly NamingClient _client;

    /// <summary>A directory of the name server <paramref name="options"/> name (or the usual one).</summary>
    public NameDirectory(ClientOptions? options = null)
        : this(null, options ?? ClientOptions.Default)
    {
    }

    /// <summary>A directory of the name server at <paramref name="nameServer"/>, else the one <paramref name="options"/> name.</summary>
    internal NameDirectory(string? nameServer, ClientOptions options)
    {
        _options = options;
        Address = NameServerLocator.Resolve(nameServer ?? options.NameServer);
        _channel = ClientConnections.CreateChannel(Address, options);
        _client = new NamingClient(_channel);
    }

    /// <summary>The name server's address.</summary>
    public string Address { get; }

    /// <summary>The registrations whose names start with <paramref name="prefix"/> (all, without one).</summary>
    /// <exception cref="NameServerUnreachableException">No name server answers.</exception>
    public IReadOnlyList<Registration> List(string prefix = "") => ListAsync(prefix).GetAwaiter().GetResult();

    /// <summary>The registrations whose names start with <paramref name="prefix"/> (all, without one).</summary>
    /// <exception cref="NameServerUnreachableException">No name server answers.</exception>
    public Task<IReadOnlyList<Registration>> ListAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        CallAsync<IReadOnlyList<Registration>>(async options => (await _client.ListAsync(new Selector { Prefix = prefix }, options)).Registrations, cancellationToken);

    /// <summary>The registration of <paramref name="name"/>.</summary>
    /// <exception cref="RpcException">NOT_FOUND when nothing is registered under it.</exception>
    /// <exception cref="NameServerUnreachableException">No name server answers.</exception>
    public Registration Lookup(string name) => LookupAsync(name).GetAwaiter().GetResult();

    /// <summary>The registration of <paramref name="name"/>.</summary>
    /// <exception cref="RpcException">NOT_FOUND when nothing is registered under it.</exception>
    /// <exception cref="NameServerUnreachableException">No name server answers.</exception>
    public Task<Registration> LookupAsync(string name, CancellationToken cancellationToken = default) =>
        CallAsync(options => _client.LookupAsync(name, options: options), cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"name server at {Address}";

    private async Task<T> CallAsync<T>(Func<CallOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        using var cancellation = _options.Link(cancellationToken);
        try
        {
            return await call(ClientConnections.ForCall(_options, cancellation.Token)).ConfigureAwait(false);
        }
        catch (RpcException ex) when (cancellation.Token.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was cancelled.", ex, cancellation.Token);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable)
        {
            throw new NameServerUnreachableException(Address, ex);
        }
    }
}
