using System.Net;
using System.Net.Sockets;
using RemoteModel.Grpc;

namespace RemoteModel.Hosting;

/// <summary>
/// The addresses a server gives others (in the name server, in its ready line): where clients on
/// other hosts can reach it. What it listens on, except that a wildcard (<c>0.0.0.0</c>,
/// <c>[::]</c>) becomes each of the host's non-loopback interface addresses, with the port the
/// server actually got. Configured advertise values replace that: a URL
/// (<c>http://lab-pc.example:9191</c>) is given as it is; a bare host name or address
/// (<c>lab-pc.example</c>) takes the place of the host in every address the server listens on
/// (scheme and actual port kept), for a DNS name or an address behind NAT.
/// </summary>
public sealed class AdvertisedAddresses
{
    private readonly IReadOnlyList<string> _configured;

    /// <summary>Advertises <paramref name="configured"/> (URLs or host names; empty: derived from what the server listens on).</summary>
    /// <exception cref="ArgumentException">A value is neither a usable URL nor a host name (<see cref="Problem"/>).</exception>
    public AdvertisedAddresses(IReadOnlyList<string> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        foreach (var value in configured)
        {
            if (Problem(value) is { } problem)
            {
                throw new ArgumentException(problem, nameof(configured));
            }
        }

        _configured = configured;
    }

    /// <summary>The addresses to give others for a server listening on <paramref name="listening"/> (as Kestrel reports them, actual ports included).</summary>
    public IReadOnlyList<string> For(IEnumerable<string> listening) => Derive(listening, _configured, HostAddresses.Reachable());

    /// <summary>What is wrong with an advertise value, or null: a URL needs a host clients can use and a real port.</summary>
    public static string? Problem(string value)
    {
        const string Use = "use a URL clients can connect to (http://lab-pc.example:9191, https://192.0.2.10:9191, unix:/path) or a host name alone (lab-pc.example), which takes the place of the host in each listen address.";
        if (value.StartsWith("unix:", StringComparison.Ordinal))
        {
            return null;
        }

        if (!value.Contains("://", StringComparison.Ordinal))
        {
            return Uri.CheckHostName(value.Trim('[', ']')) is UriHostNameType.Unknown or UriHostNameType.Basic
                ? $"Advertised address '{value}' is not a host name or address: {Use}"
                : HostAddresses.IsWildcard(value) ? $"Advertised address '{value}' is a wildcard, which no client can connect to: {Use}" : null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"Advertised address '{value}' is not an address: {Use}";
        }

        return HostAddresses.IsWildcard(uri.Host) ? $"Advertised address '{value}' is a wildcard, which no client can connect to: {Use}"
            : uri.Port == 0 ? $"Advertised address '{value}' has port 0, which no client can connect to: name the port, or give the host alone to keep the port the server gets."
            : null;
    }

    /// <summary>The rule itself, over given interface addresses (the host's, or a test's).</summary>
    internal static IReadOnlyList<string> Derive(IEnumerable<string> listening, IReadOnlyList<string> configured, IReadOnlyList<IPAddress> interfaces)
    {
        var result = new List<string>();
        var listened = listening.ToList();
        var hosts = configured.Where(c => !c.Contains("://", StringComparison.Ordinal) && !c.StartsWith("unix:", StringComparison.Ordinal)).ToList();
        foreach (var value in configured.Except(hosts))
        {
            Add(result, value);
        }

        foreach (var address in listened)
        {
            if (address.StartsWith("unix:", StringComparison.Ordinal) || !Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                // A socket is only for this host: given as it is unless URLs were configured instead.
                if (configured.Count == 0)
                {
                    Add(result, address);
                }

                continue;
            }

            if (hosts.Count > 0)
            {
                hosts.ForEach(host => Add(result, WithHost(uri, host)));
            }
            else if (configured.Count == 0 && HostAddresses.IsWildcard(uri.Host))
            {
                // 0.0.0.0 listens on IPv4 only; [::] on both (Kestrel's sockets are dual-stack).
                var ipv4Only = uri.Host == "0.0.0.0";
                var usable = interfaces.Where(a => !ipv4Only || a.AddressFamily == AddressFamily.InterNetwork).ToList();

                // A host with no network but loopback: still reachable from itself.
                foreach (var ip in usable.Count > 0 ? usable : [IPAddress.Loopback])
                {
                    Add(result, WithHost(uri, ip.ToString()));
                }
            }
            else if (configured.Count == 0)
            {
                Add(result, address);
            }
        }

        return result;
    }

    private static string WithHost(Uri uri, string host)
    {
        var bare = host.Trim('[', ']');
        var written = IPAddress.TryParse(bare, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bare}]" : host;
        return $"{uri.Scheme}://{written}:{uri.Port}";
    }

    private static void Add(List<string> result, string address)
    {
        if (!result.Contains(address, StringComparer.Ordinal))
        {
            result.Add(address);
        }
    }
}
