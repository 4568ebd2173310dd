using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace RemoteModel.Grpc;

/// <summary>
/// What the addresses in endpoints and peers say about reach: wildcards no client can connect
/// to, loopback that only works on one host, and this host's own interface addresses.
/// </summary>
public static class HostAddresses
{
    /// <summary>
    /// This host's addresses that other hosts can reach: every unicast address of an interface that
    /// is up, except loopback and IPv6 link-local ones (which need an interface name in a URL).
    /// IPv4 first, in the order the system lists the interfaces.
    /// </summary>
    public static IReadOnlyList<IPAddress> Reachable() =>
        [.. NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal && a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            .Distinct()
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)];

    /// <summary>True for a host part that means "every interface" when listening: <c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>.</summary>
    public static bool IsWildcard(string host) =>
        host is "*" or "+" or "0.0.0.0" or "[::]" or "::" || IPAddress.TryParse(host.Trim('[', ']'), out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));

    /// <summary>True for a host part that only reaches the host it is used on: <c>localhost</c>, <c>127.x.x.x</c>, <c>[::1]</c>.</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);

    /// <summary>
    /// True when an endpoint (<c>http://host:port</c>, <c>https://host:port</c>, <c>unix:/path</c>)
    /// only works on the host that registered it: a Unix socket, or a loopback host.
    /// </summary>
    public static bool IsHostLocalEndpoint(string endpoint) =>
        endpoint.StartsWith("unix:", StringComparison.Ordinal)
        || Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && IsLoopback(uri.Host);

    /// <summary>
    /// The IP address of a gRPC peer as grpc-dotnet writes it (<c>ipv4:192.0.2.7:50312</c>,
    /// <c>ipv6:[fd00::7]:50312</c>), or null for another kind of peer (a Unix socket).
    /// </summary>
    public static IPAddress? OfPeer(string? peer)
    {
        if (peer is null)
        {
            return null;
        }

        var rest = peer.StartsWith("ipv4:", StringComparison.Ordinal) || peer.StartsWith("ipv6:", StringComparison.Ordinal) ? peer[5..] : null;
        var colon = rest?.LastIndexOf(':') ?? -1;
        return colon > 0 && IPAddress.TryParse(rest![..colon].Trim('[', ']'), out var address)
            ? address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address
            : null;
    }

    /// <summary>
    /// True when a gRPC peer is on another host: its address is neither loopback nor one of
    /// <paramref name="thisHost"/> (<see cref="Reachable"/>), asked for only when the address
    /// alone does not tell. A Unix socket peer is on this host.
    /// </summary>
    public static bool IsOtherHost(string? peer, Func<IReadOnlyCollection<IPAddress>> thisHost) =>
        OfPeer(peer) is { } address && !IPAddress.IsLoopback(address) && !thisHost().Contains(address);
}
