using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Naming.Registry;
using RemoteModel.Grpc.Server;
using RemoteModel.Naming.V1;
using NamingApi = RemoteModel.Naming.V1.Naming;
using Grpc.Core;
using RemoteModel.Grpc;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Naming.Server;

/// <summary>
/// The gRPC naming service over a registry store: validates, authorizes, logs one line per
/// registration event, and turns store outcomes into precise statuses.
/// </summary>
public sealed partial class NamingService : NamingApi.NamingBase
{
    private static readonly string Version =
        typeof(NamingService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private readonly IRegistryStore _store;
    private readonly NamingServiceOptions _options;
    private readonly IRegistryAuthorizer _authorizer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EndedHere _endedHere;

    /// <summary>Creates the service over <paramref name="store"/>.</summary>
    public NamingService(
        IRegistryStore store,
        NamingServiceOptions? options = null,
        IRegistryAuthorizer? authorizer = null,
        TimeProvider? timeProvider = null,
        ILogger<NamingService>? logger = null)
    {
        _store = store;
        _options = options ?? new NamingServiceOptions();
        _authorizer = authorizer ?? AllowAllRegistryAuthorizer.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<NamingService>.Instance;
        _endedHere = new EndedHere(_time);
        IsOtherHost = new ThisHostAddresses(_time).IsOtherHost;
    }

    /// <summary>
    /// Whether a gRPC peer is on another host than this name server; the host's own interfaces
    /// decide (a seam for tests, which have only one host).
    /// </summary>
    internal Func<string, bool> IsOtherHost { get; init; }

    /// <inheritdoc />
    public override async Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        var ttl = request.Ttl is null ? _options.DefaultTtl : request.Ttl.ToTimeSpan();
        var stored = await StoreRegistrationAsync(request, ttl == TimeSpan.Zero ? null : ttl, context);
        return new RegisterResponse { Registration = stored };
    }

    /// <inheritdoc />
    public override async Task Hold(RegisterRequest request, IServerStreamWriter<HoldEvent> stream, ServerCallContext context)
    {
        var stored = await StoreRegistrationAsync(request, _options.HoldLeaseTtl, context);
        var endedElsewhere = false;
        try
        {
            await stream.WriteAsync(new HoldEvent { Registration = stored });
            // The lease only outlives the stream if this server dies; while the stream is open it is kept.
            while (true)
            {
                await Task.Delay(_options.HoldLeaseTtl / 3, _time, context.CancellationToken);
                if (await _store.KeepAliveAsync(stored.LeaseId, context.CancellationToken) is null)
                {
                    // Its end was logged by whoever ended it: a Remove, or the expiry log.
                    endedElsewhere = true;
                    throw new RpcException(new Status(StatusCode.Aborted,
                        $"The registration of '{stored.Name}' was removed (by an administrator, or its lease ran out); register again."));
                }
            }
        }
        finally
        {
            if (!endedElsewhere && await EndLeaseAsync(stored.LeaseId, CancellationToken.None))
            {
                LogUnregistered(stored.Name, stored.Kind, ServerStopping.IsStopping(context) ? "name server stopping" : "holder disconnected");
            }
        }
    }

    /// <summary>
    /// Logs, until cancelled, each registration that ends without a call to this name server: its
    /// lease ran out (a registrant that stopped renewing, a holder whose name server died), or it
    /// was ended through another name server over the same store. The name server runs this once.
    /// When the watch breaks off (the store unreachable, or its history lost), the registrations
    /// that ended meanwhile are found by comparing the store with what was last seen in it.
    /// </summary>
    public async Task LogEndsElsewhereAsync(CancellationToken cancellationToken)
    {
        string? interruption = null;
        Dictionary<string, Registration>? seen = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = await _store.ListAsync(string.Empty, cancellationToken);
                var present = now.Registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
                if (seen is not null)
                {
                    LogEndsMissed(seen, present);
                }

                seen = present;
                if (interruption is not null)
                {
                    LogEndsElsewhereResumed();
                    interruption = null;
                }

                await foreach (var change in _store.WatchAsync(string.Empty, now.Revision, cancellationToken))
                {
                    var registration = change.Registration;
                    if (change.Kind != RegistryChangeKind.Unregistered)
                    {
                        seen[registration.Name] = registration;
                        continue;
                    }

                    seen.Remove(registration.Name);
                    if (!_endedHere.Claims(registration))
                    {
                        if (registration.LeaseId != 0 && !_store.IsShared)
                        {
                            RemoteModelDiagnostics.LeaseExpiries.Add(1, new KeyValuePair<string, object?>("remotemodel.kind", registration.Kind));
                        }

                        LogUnregistered(registration.Name, registration.Kind, (registration.LeaseId != 0, _store.IsShared) switch
                        {
                            (true, false) => "lease ran out",
                            (true, true) => "lease ran out, or ended through another name server",
                            _ => "removed through another name server",
                        });
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Lost history, an unreachable store, or worse: a log must not take the name server down with it.
                if (interruption != ex.Message)
                {
                    LogEndsElsewhereInterrupted(ex.Message);
                    interruption = ex.Message;
                }

                await Task.Delay(_options.StoreRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Logs the registrations seen before that are gone now (or live on under another lease), unless this server ended them.</summary>
    private void LogEndsMissed(Dictionary<string, Registration> before, Dictionary<string, Registration> now)
    {
        foreach (var (name, registration) in before)
        {
            var goneOrReplaced = !now.TryGetValue(name, out var current) || current.LeaseId != registration.LeaseId;
            if (goneOrReplaced && !_endedHere.Claims(registration))
            {
                LogUnregistered(name, registration.Kind, "ended while the store could not be watched");
            }
        }
    }

    private async Task<bool> EndLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        _endedHere.Lease(leaseId);
        var ended = await Guard(_store.UnregisterAsync(leaseId, cancellationToken));
        if (!ended)
        {
            _endedHere.Forget(leaseId);
        }

        return ended;
    }

    /// <inheritdoc />
    public override async Task<KeepAliveResponse> KeepAlive(KeepAliveRequest request, ServerCallContext context)
    {
        await _authorizer.AuthorizeLeaseAsync(context, RegistryAction.Register, () => LeaseNamesAsync(request.LeaseId, context.CancellationToken));
        var ttl = await Guard(_store.KeepAliveAsync(request.LeaseId, context.CancellationToken))
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Lease {request.LeaseId} is gone (it ran out or was ended); register again."));
        return new KeepAliveResponse { Ttl = Duration.FromTimeSpan(ttl) };
    }

    /// <inheritdoc />
    public override async Task<UnregisterResponse> Unregister(UnregisterRequest request, ServerCallContext context)
    {
        await _authorizer.AuthorizeLeaseAsync(context, RegistryAction.Unregister, () => LeaseNamesAsync(request.LeaseId, context.CancellationToken));
        if (!await EndLeaseAsync(request.LeaseId, context.CancellationToken))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Lease {request.LeaseId} is gone (it ran out or was ended already)."));
        }

        LogLeaseEnded(request.LeaseId, context.Peer);
        return new UnregisterResponse();
    }

    /// <inheritdoc />
    public override async Task<RemoveResponse> Remove(RemoveRequest request, ServerCallContext context)
    {
        ValidateName(request.Name);
        await _authorizer.AuthorizeAsync(context, RegistryAction.Remove, request.Name);
        _endedHere.Name(request.Name);
        var removed = await Guard(_store.RemoveAsync(request.Name, context.CancellationToken));
        if (removed)
        {
            LogRemoved(request.Name, context.Peer);
        }
        else
        {
            _endedHere.Forget(request.Name);
        }

        return new RemoveResponse { Removed = removed };
    }

    /// <inheritdoc />
    public override async Task<LookupResponse> Lookup(LookupRequest request, ServerCallContext context)
    {
        ValidateName(request.Name);
        await _authorizer.AuthorizeAsync(context, RegistryAction.Read, request.Name);
        var wait = request.Wait?.ToTimeSpan() ?? TimeSpan.Zero;
        if (wait > _options.MaxLookupWait)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"A lookup may wait at most {_options.MaxLookupWait}; {wait} was asked."));
        }

        var found = await Guard(_store.GetAsync(request.Name, context.CancellationToken))
            ?? (wait > TimeSpan.Zero ? await WaitForNameAsync(request.Name, wait, context.CancellationToken) : null);
        return found is null
            ? throw new RpcException(new Status(StatusCode.NotFound,
                wait > TimeSpan.Zero ? $"No registration named '{request.Name}' appeared within {wait}." : $"No registration named '{request.Name}'."))
            : new LookupResponse { Registration = ForCaller(found, context.Peer) };
    }

    /// <inheritdoc />
    public override async Task<ListResponse> List(ListRequest request, ServerCallContext context)
    {
        var matcher = new SelectorMatcher(request.Selector, _options.PatternTimeout);
        await _authorizer.AuthorizeAsync(context, RegistryAction.Read, matcher.Prefix);
        var snapshot = await Guard(_store.ListAsync(matcher.Prefix, context.CancellationToken));
        var response = new ListResponse { Revision = snapshot.Revision };
        response.Registrations.AddRange(snapshot.Registrations.Where(matcher.Matches).Select(r => ForCaller(r, context.Peer)));
        return response;
    }

    /// <summary>
    /// A snapshot (SNAPSHOT events, then SNAPSHOT_END), then live changes. Should the store lose
    /// the watch's place, a fresh snapshot follows: a client treats SNAPSHOT after live events as a reset.
    /// </summary>
    /// <inheritdoc />
    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> stream, ServerCallContext context)
    {
        var matcher = new SelectorMatcher(request.Selector, _options.PatternTimeout);
        await _authorizer.AuthorizeAsync(context, RegistryAction.Read, matcher.Prefix);
        var token = context.CancellationToken;
        while (true)
        {
            var snapshot = await Guard(_store.ListAsync(matcher.Prefix, token));
            foreach (var registration in snapshot.Registrations.Where(matcher.Matches))
            {
                await stream.WriteAsync(new WatchEvent { Type = WatchEvent.Types.Type.Snapshot, Registration = ForCaller(registration, context.Peer), Revision = registration.Revision }, token);
            }

            await stream.WriteAsync(new WatchEvent { Type = WatchEvent.Types.Type.SnapshotEnd, Revision = snapshot.Revision }, token);
            try
            {
                await foreach (var change in _store.WatchAsync(matcher.Prefix, snapshot.Revision, token))
                {
                    if (matcher.Matches(change.Registration))
                    {
                        await stream.WriteAsync(new WatchEvent { Type = ToEventType(change.Kind), Registration = ForCaller(change.Registration, context.Peer), Revision = change.Revision }, token);
                    }
                }

                return;
            }
            catch (RegistryHistoryLostException ex)
            {
                LogWatchResynchronised(context.Peer, ex.Message);
            }
        }
    }

    private async Task<IReadOnlyList<string>> LeaseNamesAsync(long leaseId, CancellationToken cancellationToken) =>
        [.. (await Guard(_store.ListAsync(string.Empty, cancellationToken))).Registrations.Where(r => r.LeaseId == leaseId).Select(r => r.Name)];

    /// <inheritdoc />
    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context) =>
        Task.FromResult(new PingResponse { Server = _options.ServerName, Version = Version, Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) });

    private async Task<Registration> StoreRegistrationAsync(RegisterRequest request, TimeSpan? ttl, ServerCallContext context)
    {
        var registration = request.Registration
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "The request has no registration."));
        ValidateName(registration.Name);
        await _authorizer.AuthorizeAsync(context, RegistryAction.Register, registration.Name);
        if (registration.Kind.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The registration of '{registration.Name}' has no kind (model, viewer, ...)."));
        }

        if (ttl is { } leased && (leased < _options.MinTtl || leased > _options.MaxTtl))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"A TTL of {leased} is outside {_options.MinTtl}..{_options.MaxTtl}; a TTL of 0 registers statically."));
        }

        ValidateEndpoints(registration);
        if (registration.Endpoints.Count > 0 && registration.Endpoints.All(HostAddresses.IsHostLocalEndpoint) && IsOtherHost(context.Peer))
        {
            LogOnlyHostLocalEndpoints(registration.Name, context.Peer, string.Join(' ', registration.Endpoints));
        }

        try
        {
            var stored = await Guard(_store.RegisterAsync(registration, ttl, request.Safe, context.CancellationToken));
            var lease = ttl is null ? "static" : $"lease {stored.LeaseId}, TTL {ttl}";
            RemoteModelDiagnostics.Registrations.Add(1, new KeyValuePair<string, object?>("remotemodel.kind", stored.Kind));
            if (stored.Endpoints.Count == 0)
            {
                LogRegisteredWithoutEndpoints(stored.Name, stored.Kind, lease, context.Peer);
            }
            else
            {
                LogRegistered(stored.Name, stored.Kind, string.Join(' ', stored.Endpoints), lease, context.Peer);
            }
            return stored;
        }
        catch (NameTakenException ex)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, ex.Message));
        }
    }

    /// <summary>
    /// Refuses endpoints no client could use: not an address, a wildcard listen address
    /// (<c>0.0.0.0</c>, <c>[::]</c>), or port 0.
    /// </summary>
    private static void ValidateEndpoints(Registration registration)
    {
        foreach (var endpoint in registration.Endpoints)
        {
            if (endpoint.StartsWith("unix:", StringComparison.Ordinal))
            {
                continue;
            }

            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"Endpoint '{endpoint}' of '{registration.Name}' is not an address (http://host:port, https://host:port or unix:/path)."));
            }

            if (HostAddresses.IsWildcard(uri.Host) || uri.Port == 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"Endpoint '{endpoint}' of '{registration.Name}' is {(uri.Port == 0 ? "on port 0" : "a wildcard listen address")}, which no client can connect to: " +
                    "register the addresses clients should use (a RemoteModel server listening on 0.0.0.0 or port 0 registers its interface addresses and actual port by itself; " +
                    "remotemodel-server --advertise URL names them)."));
            }
        }
    }

    /// <summary>
    /// The registration as a caller should see it: for a caller on another host, without the
    /// endpoints that only work on the registrant's host (loopback, Unix sockets) when it has
    /// others, so a client that takes the first endpoint takes one it can reach.
    /// </summary>
    private Registration ForCaller(Registration registration, string peer)
    {
        // The caller first: one on this host, the usual one, costs no parsing of the endpoints.
        if (!IsOtherHost(peer))
        {
            return registration;
        }

        var local = registration.Endpoints.Count(HostAddresses.IsHostLocalEndpoint);
        if (local == 0 || local == registration.Endpoints.Count)
        {
            return registration;
        }

        var reachable = registration.Clone();
        reachable.Endpoints.Clear();
        reachable.Endpoints.AddRange(registration.Endpoints.Where(e => !HostAddresses.IsHostLocalEndpoint(e)));
        return reachable;
    }

    private async Task<Registration?> WaitForNameAsync(string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            // Listing first gives the revision to watch from, so a registration made in between is not missed.
            var snapshot = await Guard(_store.ListAsync(name, linked.Token));
            if (snapshot.Registrations.FirstOrDefault(r => r.Name == name) is { } already)
            {
                return already;
            }

            await foreach (var change in _store.WatchAsync(name, snapshot.Revision, linked.Token))
            {
                if (change.Kind != RegistryChangeKind.Unregistered && change.Registration.Name == name)
                {
                    return change.Registration;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }

        return null;
    }

    private static WatchEvent.Types.Type ToEventType(RegistryChangeKind kind) => kind switch
    {
        RegistryChangeKind.Registered => WatchEvent.Types.Type.Registered,
        RegistryChangeKind.Changed => WatchEvent.Types.Type.Changed,
        _ => WatchEvent.Types.Type.Unregistered,
    };

    private static void ValidateName(string name)
    {
        if (NameRules.Problem(name) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, NameRules.Explain(name, problem)));
        }
    }

    /// <summary>A store that cannot reach its backend makes the name server unavailable, not broken.</summary>
    private static async Task<T> Guard<T>(Task<T> storeCall)
    {
        try
        {
            return await storeCall;
        }
        catch (RegistryUnavailableException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The registry store is unavailable: {ex.Message}"));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Name} ({Kind}) at {Endpoints}, {Lease}, by {Peer}")]
    private partial void LogRegistered(string name, string kind, string endpoints, string lease, string peer);

    // A viewer's registration has no address of its own: it is found through its model.
    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Name} ({Kind}), {Lease}, by {Peer}")]
    private partial void LogRegisteredWithoutEndpoints(string name, string kind, string lease, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name} was registered from {Peer}, another host, at {Endpoints} only: those work on that host alone, so clients elsewhere cannot reach it (start its server with --listen http://0.0.0.0:PORT, or --advertise URL)")]
    private partial void LogOnlyHostLocalEndpoints(string name, string peer, string endpoints);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unregistered {Name} ({Kind}): {Reason}")]
    private partial void LogUnregistered(string name, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watch for registrations that end by themselves broke off ({Reason}); it starts again when the store answers")]
    private partial void LogEndsElsewhereInterrupted(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching again for registrations that end by themselves")]
    private partial void LogEndsElsewhereResumed();

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease {LeaseId} ended by its holder {Peer}")]
    private partial void LogLeaseEnded(long leaseId, string peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Name} by {Peer}")]
    private partial void LogRemoved(string name, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch from {Peer} fell behind and starts again from a snapshot: {Reason}")]
    private partial void LogWatchResynchronised(string peer, string reason);
}
