using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RemoteModel.Naming.V1;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Naming.Client;

/// <summary>The name server's calls in the terms people use: a registration, a name, a lease, a selector.</summary>
public static class NamingClientExtensions
{
    /// <summary>Registers under a TTL lease (renew with <see cref="KeepAliveAsync"/>); a TTL of zero registers statically.</summary>
    public static async Task<Registration> RegisterAsync(this NamingClient client, Registration registration, TimeSpan? ttl = null, bool safe = false, CallOptions options = default) =>
        (await client.RegisterAsync(
            new RegisterRequest { Registration = registration, Ttl = ttl is { } t ? Duration.FromTimeSpan(t) : null, Safe = safe }, options)).Registration;

    /// <summary>Registers and holds the registration while the returned call is open; the first message confirms it.</summary>
    public static AsyncServerStreamingCall<HoldEvent> Hold(this NamingClient client, Registration registration, bool safe = false, CallOptions options = default) =>
        client.Hold(new RegisterRequest { Registration = registration, Safe = safe }, options);

    /// <summary>Renews a lease; NOT_FOUND when it is gone.</summary>
    public static async Task<TimeSpan> KeepAliveAsync(this NamingClient client, long leaseId, CallOptions options = default) =>
        (await client.KeepAliveAsync(new KeepAliveRequest { LeaseId = leaseId }, options)).Ttl.ToTimeSpan();

    /// <summary>Ends one's own registration.</summary>
    public static async Task UnregisterAsync(this NamingClient client, long leaseId, CallOptions options = default) =>
        await client.UnregisterAsync(new UnregisterRequest { LeaseId = leaseId }, options);

    /// <summary>Removes any registration by name; false when there was none.</summary>
    public static async Task<bool> RemoveAsync(this NamingClient client, string name, CallOptions options = default) =>
        (await client.RemoveAsync(new RemoveRequest { Name = name }, options)).Removed;

    /// <summary>The registration of <paramref name="name"/>, waiting up to <paramref name="wait"/> for it to appear; NOT_FOUND otherwise.</summary>
    public static async Task<Registration> LookupAsync(this NamingClient client, string name, TimeSpan? wait = null, CallOptions options = default) =>
        (await client.LookupAsync(new LookupRequest { Name = name, Wait = wait is { } w ? Duration.FromTimeSpan(w) : null }, options)).Registration;

    /// <summary>The registrations a selector chooses (all, without one).</summary>
    public static async Task<ListResponse> ListAsync(this NamingClient client, Selector? selector = null, CallOptions options = default) =>
        await client.ListAsync(new ListRequest { Selector = selector ?? new Selector() }, options);

    /// <summary>A snapshot of what the selector chooses, then each change.</summary>
    public static AsyncServerStreamingCall<WatchEvent> Watch(this NamingClient client, Selector? selector = null, CallOptions options = default) =>
        client.Watch(new WatchRequest { Selector = selector ?? new Selector() }, options);

    /// <summary>Is the name server there.</summary>
    public static async Task<PingResponse> PingAsync(this NamingClient client, CallOptions options = default) =>
        await client.PingAsync(new PingRequest(), options);
}
