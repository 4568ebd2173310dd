using Grpc.Core;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

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
    /// A channel to the name server (<see cref="Resolve"/>), its calls signed with this process's
    /// usual key (<see cref="Security.ClientCredentials.Default"/>), once the server has answered a ping.
    /// </summary>
    /// <exception cref="NameServerUnreachableException">No name server answers there.</exception>
    public static Task<SignedChannel> ConnectAsync(string? explicitAddress = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(explicitAddress, Security.ClientCredentials.Default, cancellationToken);

    /// <summary>A channel to the name server whose calls <paramref name="signer"/> signs (null: unsigned), once the server has answered a ping.</summary>
    /// <exception cref="NameServerUnreachableException">No name server answers there.</exception>
    public static async Task<SignedChannel> ConnectAsync(string? explicitAddress, CallSigner? signer, CancellationToken cancellationToken = default)
    {
        var address = Resolve(explicitAddress);
        var channel = SignedChannel.ForAddress(address, signer);
        try
        {
            await new NamingClient(channel).PingAsync(new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken));
            return channel;
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
