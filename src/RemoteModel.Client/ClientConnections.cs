using RemoteModel.Models.Server;
using Grpc.Core;
using RemoteModel.Grpc.Client;

namespace RemoteModel.Client;

/// <summary>
/// Where every client connection of this library is made, so that what a channel needs (limits,
/// keep-alive pings, request signing) is decided once, and who is calling is said on
/// every call.
/// </summary>
public static class ClientConnections
{
    /// <summary>Who this process calls as unless told otherwise: <c>user@host</c>, so audit lines name a person.</summary>
    public static string DefaultCaller { get; } = $"{Environment.UserName}@{Environment.MachineName}";

    /// <summary>
    /// A channel to <paramref name="address"/> (<c>http://host:port</c>, <c>https://host:port</c>,
    /// <c>unix:/path</c>), its calls signed as <paramref name="options"/> say. Dispose it when done;
    /// one channel serves any number of calls.
    /// </summary>
    public static SignedChannel CreateChannel(string address, ClientOptions? options = null) =>
        SignedChannel.ForAddress(address, (options ?? ClientOptions.Default).Signer);

    /// <summary>One call's options: who calls, how long it may take, and what cancels it.</summary>
    internal static CallOptions ForCall(ClientOptions options, CancellationToken cancellationToken) => new(
        headers: new Metadata { { CallerHeaderAuthorizer.CallerHeader, options.Caller } },
        deadline: DateTime.UtcNow + options.CallTimeout,
        cancellationToken: cancellationToken);
}
