using Google.Protobuf.WellKnownTypes;
using RemoteModel.Naming.V1;
using RemoteModel.Transport;
using RemoteModel.Transport.Client;

namespace RemoteModel.Naming.Client;

/// <summary>A typed client for the name server.</summary>
/// <param name="channel">The channel to the name server.</param>
public sealed class NamingClient(GrpcChannel channel)
{
    /// <summary>The channel this client calls on.</summary>
    public GrpcChannel Channel { get; } = channel;

    /// <summary>Registers under a TTL lease (renew with <see cref="KeepAliveAsync"/>); a TTL of zero registers statically.</summary>
    public async Task<Registration> RegisterAsync(Registration registration, TimeSpan? ttl = null, bool safe = false, CallOptions options = default) =>
        (await Channel.UnaryAsync(NamingMethods.Register,
            new RegisterRequest { Registration = registration, Ttl = ttl is { } t ? Duration.FromTimeSpan(t) : null, Safe = safe }, options)).Registration;

    /// <summary>Registers and holds the registration while the returned call is open; the first message confirms it.</summary>
    public ServerStreamingCall<HoldEvent> Hold(Registration registration, bool safe = false, CallOptions options = default) =>
        Channel.ServerStreaming(NamingMethods.Hold, new RegisterRequest { Registration = registration, Safe = safe }, options);

    /// <summary>Renews a lease; NOT_FOUND when it is gone.</summary>
    public async Task<TimeSpan> KeepAliveAsync(long leaseId, CallOptions options = default) =>
        (await Channel.UnaryAsync(NamingMethods.KeepAlive, new KeepAliveRequest { LeaseId = leaseId }, options)).Ttl.ToTimeSpan();

    /// <summary>Ends one's own registration.</summary>
    public Task UnregisterAsync(long leaseId, CallOptions options = default) =>
        Channel.UnaryAsync(NamingMethods.Unregister, new UnregisterRequest { LeaseId = leaseId }, options);

    /// <summary>Removes any registration by name; false when there was none.</summary>
    public async Task<bool> RemoveAsync(string name, CallOptions options = default) =>
        (await Channel.UnaryAsync(NamingMethods.Remove, new RemoveRequest { Name = name }, options)).Removed;

    /// <summary>The registration of <paramref name="name"/>, waiting up to <paramref name="wait"/> for it to appear; NOT_FOUND otherwise.</summary>
    public async Task<Registration> LookupAsync(string name, TimeSpan? wait = null, CallOptions options = default) =>
        (await Channel.UnaryAsync(NamingMethods.Lookup,
            new LookupRequest { Name = name, Wait = wait is { } w ? Duration.FromTimeSpan(w) : null }, options)).Registration;

    /// <summary>The registrations a selector chooses (all, without one).</summary>
    public Task<ListResponse> ListAsync(Selector? selector = null, CallOptions options = default) =>
        Channel.UnaryAsync(NamingMethods.List, new ListRequest { Selector = selector ?? new Selector() }, options);

    /// <summary>A snapshot of what the selector chooses, then each change.</summary>
    public ServerStreamingCall<WatchEvent> Watch(Selector? selector = null, CallOptions options = default) =>
        Channel.ServerStreaming(NamingMethods.Watch, new WatchRequest { Selector = selector ?? new Selector() }, options);

    /// <summary>Is the name server there.</summary>
    public Task<PingResponse> PingAsync(CallOptions options = default) =>
        Channel.UnaryAsync(NamingMethods.Ping, new PingRequest(), options);
}
