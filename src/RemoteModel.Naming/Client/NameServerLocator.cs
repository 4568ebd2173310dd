using RemoteModel.Transport;
using RemoteModel.Transport.Client;

namespace RemoteModel.Naming.Client;

/// <summary>
/// Finds the name server: an explicit address first, then the <c>REMOTEMODEL_NAMESERVER</c>
/// environment variable, then the local default <c>http://127.0.0.1:9090</c> (Pyro's habit).
/// </summary>
public static class NameServerLocator
{
    /// <summary>The environment variable that names the name server.</summary>
    public const string EnvironmentVariable = "REMOTEMODEL_NAMESERVER";

    /// <summary>Where a name server listens unless told otherwise.</summary>
    public const string DefaultAddress = "http://127.0.0.1:9090";

    /// <summary>The address to use, from <paramref name="explicitAddress"/>, the environment, or the default.</summary>
    public static string Resolve(string? explicitAddress = null)
    {
        var address = !string.IsNullOrWhiteSpace(explicitAddress) ? explicitAddress
            : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : DefaultAddress;
        return address.Contains("://", StringComparison.Ordinal) || address.StartsWith("unix:", StringComparison.Ordinal)
            ? address
            : "http://" + address;
    }

    /// <summary>
    /// A client for the name server, checked with a ping. A name server that does not answer is
    /// reported in one line that says how to start one. Without <paramref name="options"/>, calls
    /// are signed with this process's usual key.
    /// </summary>
    /// <exception cref="NameServerUnreachableException">No name server answers at the address.</exception>
    public static async Task<NamingClient> ConnectAsync(string? explicitAddress = null, GrpcChannelOptions? options = null, CancellationToken cancellationToken = default)
    {
        var address = Resolve(explicitAddress);
        var channel = GrpcChannel.ForAddress(address, options ?? Security.ClientCredentials.DefaultChannelOptions());
        var client = new NamingClient(channel);
        try
        {
            await client.PingAsync(new CallOptions { Timeout = TimeSpan.FromSeconds(5), CancellationToken = cancellationToken });
            return client;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unimplemented)
        {
            channel.Dispose();
            throw new NameServerUnreachableException(address, ex);
        }
    }
}

/// <summary>No name server answered at an address.</summary>
public sealed class NameServerUnreachableException(string address, RpcException cause)
    : Exception(
        $"No name server at {address} ({cause.Status.Detail}): start one with `dotnet run --project src/NameServer`, " +
        $"or point {NameServerLocator.EnvironmentVariable} or --ns at one.",
        cause)
{
    /// <summary>The address that did not answer.</summary>
    public string Address { get; } = address;
}
