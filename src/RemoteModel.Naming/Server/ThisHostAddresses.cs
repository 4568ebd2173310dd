using System.Net;
using RemoteModel.Grpc;

namespace RemoteModel.Naming.Server;

/// <summary>
/// This host's reachable addresses (<see cref="HostAddresses.Reachable"/>), read again at most once
/// every <see cref="RefreshInterval"/>: reading them lists every network interface, which costs a
/// call hundreds of microseconds, and an address that comes or goes is seen within the interval.
/// </summary>
internal sealed class ThisHostAddresses(TimeProvider timeProvider, Func<IReadOnlyList<IPAddress>>? read = null)
{
    /// <summary>How long a reading of the interfaces is used.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private readonly Func<IReadOnlyList<IPAddress>> _read = read ?? HostAddresses.Reachable;
    private Reading? _last;

    /// <summary>True when a gRPC peer is on another host (<see cref="HostAddresses.IsOtherHost"/>); a loopback or Unix socket peer costs no reading.</summary>
    public bool IsOtherHost(string? peer) => HostAddresses.IsOtherHost(peer, Current);

    /// <summary>The addresses as last read, read again when that was <see cref="RefreshInterval"/> ago or more.</summary>
    public IReadOnlyList<IPAddress> Current()
    {
        var now = timeProvider.GetUtcNow();
        var last = Volatile.Read(ref _last);
        if (last is null || now - last.At >= RefreshInterval)
        {
            // Two callers may both read at the turn of the interval; either reading is current.
            last = new Reading(_read(), now);
            Volatile.Write(ref _last, last);
        }

        return last.Addresses;
    }

    private sealed record Reading(IReadOnlyList<IPAddress> Addresses, DateTimeOffset At);
}
