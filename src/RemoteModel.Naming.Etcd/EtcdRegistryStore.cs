using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Naming.Etcd.Gateway;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.V1;
using EtcdWatchEvent = RemoteModel.Naming.Etcd.Gateway.WatchEvent;
using EtcdWatchRequest = RemoteModel.Naming.Etcd.Gateway.WatchRequest;

namespace RemoteModel.Naming.Etcd;

/// <summary>
/// The registry in etcd (3.4 or later), through its v3 JSON gateway: one key per name under
/// <see cref="EtcdRegistryOptions.KeyPrefix"/>, holding the <see cref="Registration"/> in protobuf.
/// A leased registration's key belongs to an etcd lease of its own, so etcd itself deletes it
/// when the TTL passes unrenewed, whichever name server granted it. Revisions are etcd's.
/// Name servers configured with the same cluster and key prefix serve one registry.
/// </summary>
/// <remarks>
/// etcd grants no lease shorter than its minimum (2 s by default); the TTL reported is the one
/// granted, in whole seconds (rounded up). An operation that finds a member unreachable or
/// unavailable is retried on the next member (see <see cref="EtcdRegistryOptions.FailoverTimeout"/>);
/// a watch resumes on the next member after the last change it told.
/// </remarks>
public sealed partial class EtcdRegistryStore : IRegistryStore
{
    private static readonly TimeSpan WatchReconnectPause = TimeSpan.FromMilliseconds(100);

    private readonly EtcdGatewayClient _gateway;
    private readonly EtcdKeys _keys;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a store over the etcd cluster <paramref name="options"/> name; nothing is sent until it is used.</summary>
    /// <param name="options">The cluster, the key prefix, the timeouts.</param>
    /// <param name="timeProvider">The clock that stamps <see cref="Registration.RegisteredAt"/>; the system clock by default.</param>
    /// <param name="logger">Where member failures and failovers are logged.</param>
    /// <exception cref="ArgumentException">An option cannot work (an endpoint that is not an http(s) URL, a timeout that is not positive).</exception>
    public EtcdRegistryStore(EtcdRegistryOptions options, TimeProvider? timeProvider = null, ILogger<EtcdRegistryStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<EtcdRegistryStore>.Instance;
        _keys = new EtcdKeys(options.KeyPrefix);
        _gateway = new EtcdGatewayClient(options, _logger);
    }

    /// <summary>The member requests go to first: the one that last served.</summary>
    internal Uri CurrentEndpoint => _gateway.CurrentEndpoint;

    /// <inheritdoc />
    /// <remarks>
    /// A leased registration is a lease grant, then a transaction that puts the key under it (only
    /// if the key does not exist, when <paramref name="safe"/>). A lease granted for a refused or
    /// failed registration is revoked when etcd can be told; otherwise it expires, holding nothing.
    /// </remarks>
    public async Task<Registration> RegisterAsync(Registration registration, TimeSpan? ttl, bool safe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (ttl is { } requested && requested <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "A TTL must be positive; a static registration has none.");
        }

        var name = registration.Name;
        var key = _keys.KeyOf(name);
        long leaseId = 0;
        var stored = registration.Clone();
        stored.LeaseId = 0;
        stored.Revision = 0;
        stored.RegisteredAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        stored.Ttl = null;
        if (ttl is { } leased)
        {
            var seconds = (long)Math.Ceiling(leased.TotalSeconds);
            var grant = await Refusable(_gateway.PostAsync(
                $"grant a {seconds} s lease for '{name}'", "v3/lease/grant", new LeaseGrantRequest { Ttl = seconds },
                GatewayJsonContext.Default.LeaseGrantRequest, GatewayJsonContext.Default.LeaseGrantResponse, cancellationToken)).ConfigureAwait(false);
            if (grant.Error is { Length: > 0 } || grant.Id == 0 || grant.Ttl <= 0)
            {
                throw new RegistryUnavailableException($"etcd granted no lease of {seconds} s for '{name}': {grant.Error ?? "no lease in its answer"}.");
            }

            leaseId = grant.Id;
            stored.Ttl = Duration.FromTimeSpan(TimeSpan.FromSeconds(grant.Ttl));
        }

        var value = stored.ToByteArray();
        var txn = new TxnRequest
        {
            Success = [new RequestOp { RequestPut = new PutRequest { Key = key, Value = value, Lease = leaseId == 0 ? null : leaseId } }],
        };
        if (safe)
        {
            txn.Compare.Add(new Compare { Key = key, Target = "CREATE", Result = "EQUAL", CreateRevision = 0 });
            txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        }

        TxnResponse answer;
        try
        {
            answer = await _gateway.PostAsync(
                $"register '{name}'", "v3/kv/txn", txn,
                GatewayJsonContext.Default.TxnRequest, GatewayJsonContext.Default.TxnResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdGatewayException ex)
        {
            await RevokeQuietlyAsync(leaseId).ConfigureAwait(false);
            throw Refused(ex);
        }

        if (answer.Succeeded)
        {
            stored.Revision = answer.Header?.Revision ?? 0;
        }
        else if (answer.Responses.FirstOrDefault()?.ResponseRange?.Kvs.FirstOrDefault() is { } existing
            && existing.Lease == leaseId && existing.Value.AsSpan().SequenceEqual(value))
        {
            // This very registration: an earlier try was stored, but its answer was lost on the way.
            stored.Revision = existing.ModRevision;
        }
        else
        {
            await RevokeQuietlyAsync(leaseId).ConfigureAwait(false);
            throw new NameTakenException(name);
        }

        stored.LeaseId = leaseId;
        return stored;
    }

    /// <inheritdoc />
    public async Task<TimeSpan?> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        if (leaseId <= 0)
        {
            return null;
        }

        // The keep-alive method streams; one message in, one answer out. A lease etcd does not
        // know is answered with no TTL, not with an error.
        var answer = await Refusable(_gateway.PostOnceToStreamAsync(
            $"renew lease {leaseId}", "v3/lease/keepalive", new LeaseRequest { Id = leaseId },
            GatewayJsonContext.Default.LeaseRequest, GatewayJsonContext.Default.StreamMessageLeaseKeepAliveResponse, cancellationToken)).ConfigureAwait(false);
        return answer.Ttl > 0 ? TimeSpan.FromSeconds(answer.Ttl) : null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Revokes the lease; etcd deletes the key it holds, unless a later registration replaced
    /// it under a lease of its own.
    /// </remarks>
    public async Task<bool> UnregisterAsync(long leaseId, CancellationToken cancellationToken)
    {
        if (leaseId <= 0)
        {
            return false;
        }

        try
        {
            await RevokeAsync(leaseId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EtcdGatewayException ex) when (ex.IsLeaseNotFound)
        {
            return false;
        }
        catch (EtcdGatewayException ex)
        {
            throw Refused(ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes the key, then revokes the lease it was held by (each registration has a lease of
    /// its own), so the holder's next keep-alive learns that the registration is gone.
    /// </remarks>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await Refusable(_gateway.PostAsync(
            $"remove '{name}'", "v3/kv/deleterange", new DeleteRangeRequest { Key = _keys.KeyOf(name), PrevKv = true },
            GatewayJsonContext.Default.DeleteRangeRequest, GatewayJsonContext.Default.DeleteRangeResponse, cancellationToken)).ConfigureAwait(false);
        foreach (var removed in answer.PrevKvs)
        {
            await RevokeQuietlyAsync(removed.Lease).ConfigureAwait(false);
        }

        return answer.Deleted > 0;
    }

    /// <inheritdoc />
    public async Task<Registration?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var answer = await RangeAsync($"look up '{name}'", new RangeRequest { Key = _keys.KeyOf(name) }, cancellationToken).ConfigureAwait(false);
        return answer.Kvs.Count == 0 ? null : ToRegistration(answer.Kvs[0]);
    }

    /// <inheritdoc />
    public async Task<RegistrySnapshot> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var start = _keys.KeyOf(prefix);
        var answer = await RangeAsync(
            $"list '{prefix}'",
            new RangeRequest { Key = start, RangeEnd = EtcdKeys.RangeEndOf(start), SortOrder = "ASCEND", SortTarget = "KEY" },
            cancellationToken).ConfigureAwait(false);
        var registrations = answer.Kvs.Select(ToRegistration).OfType<Registration>().ToList();
        return new RegistrySnapshot(registrations, answer.Header?.Revision ?? 0);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One etcd watch over the prefix's key range, from the revision after
    /// <paramref name="afterRevision"/>. Should its member fail, the watch is opened again on
    /// the next one, after the last change told, so no change is lost or told twice. A revision
    /// etcd has compacted away ends the watch with <see cref="RegistryHistoryLostException"/>.
    /// Cancelling ends it with <see cref="OperationCanceledException"/> and closes the stream.
    /// </remarks>
    public async IAsyncEnumerable<RegistryChange> WatchAsync(
        string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = _keys.KeyOf(prefix);
        var told = afterRevision;
        while (true)
        {
            var request = new EtcdWatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = start, RangeEnd = EtcdKeys.RangeEndOf(start), StartRevision = told + 1, PrevKv = true },
            };
            var (stream, answer) = await Refusable(_gateway.OpenStreamAsync(
                $"watch '{prefix}' from revision {told + 1}", "v3/watch", request,
                GatewayJsonContext.Default.WatchRequest, GatewayJsonContext.Default.StreamMessageWatchResponse, cancellationToken)).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (answer is not null)
                {
                    if (answer.Canceled || answer.CompactRevision != 0)
                    {
                        throw HistoryLost(answer, told);
                    }

                    foreach (var watchEvent in answer.Events)
                    {
                        if (watchEvent.Kv is not { } kv)
                        {
                            continue;
                        }

                        told = kv.ModRevision;
                        if (ToChange(watchEvent, kv) is { } change)
                        {
                            yield return change;
                        }
                    }

                    answer = await NextWatchAnswerAsync(stream, cancellationToken).ConfigureAwait(false);
                }

                _gateway.ReportBroken(stream.Endpoint);
            }

            await Task.Delay(WatchReconnectPause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _gateway.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<RangeResponse> RangeAsync(string operation, RangeRequest request, CancellationToken cancellationToken) =>
        Refusable(_gateway.PostAsync(
            operation, "v3/kv/range", request,
            GatewayJsonContext.Default.RangeRequest, GatewayJsonContext.Default.RangeResponse, cancellationToken));

    private Task<LeaseRevokeResponse> RevokeAsync(long leaseId, CancellationToken cancellationToken) =>
        _gateway.PostAsync(
            $"revoke lease {leaseId}", "v3/lease/revoke", new LeaseRequest { Id = leaseId },
            GatewayJsonContext.Default.LeaseRequest, GatewayJsonContext.Default.LeaseRevokeResponse, cancellationToken);

    /// <summary>Revokes a lease nothing needs any more; should etcd not be told, it expires by itself.</summary>
    private async Task RevokeQuietlyAsync(long leaseId)
    {
        if (leaseId == 0)
        {
            return;
        }

        try
        {
            await RevokeAsync(leaseId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EtcdGatewayException or RegistryUnavailableException or ObjectDisposedException)
        {
            LogLeaseLeftToExpire(leaseId, ex.Message);
        }
    }

    /// <summary>The next answer on a watch, or null when its member failed or ended it (so it is opened again).</summary>
    private async Task<WatchResponse?> NextWatchAnswerAsync(EtcdStream<WatchResponse> stream, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await stream.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                LogWatchBroken(stream.Endpoint, "the stream ended");
            }

            return answer;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && EtcdGatewayClient.IsMemberFailure(ex))
        {
            LogWatchBroken(stream.Endpoint, ex.Message);
            return null;
        }
        catch (EtcdGatewayException ex)
        {
            throw Refused(ex);
        }
    }

    private RegistryChange? ToChange(EtcdWatchEvent watchEvent, KeyValue kv)
    {
        if (watchEvent.IsDelete)
        {
            // The key's last value comes as prev_kv; without it (compacted) only the name is known.
            var before = (watchEvent.PrevKv is { } prev ? ToRegistration(prev) : null) ?? new Registration { Name = _keys.NameOf(kv.Key) };
            before.Revision = kv.ModRevision;
            return new RegistryChange(RegistryChangeKind.Unregistered, before, kv.ModRevision);
        }

        return ToRegistration(kv) is { } after
            ? new RegistryChange(kv.CreateRevision == kv.ModRevision ? RegistryChangeKind.Registered : RegistryChangeKind.Changed, after, kv.ModRevision)
            : null;
    }

    /// <summary>The registration a key holds, its lease and revision filled from the key; null (and logged) if the value is not one.</summary>
    private Registration? ToRegistration(KeyValue kv)
    {
        var name = _keys.NameOf(kv.Key);
        Registration registration;
        try
        {
            registration = Registration.Parser.ParseFrom(kv.Value);
        }
        catch (InvalidProtocolBufferException ex)
        {
            LogUnreadableValue(name, ex.Message);
            return null;
        }

        registration.Name = name;
        registration.LeaseId = kv.Lease;
        registration.Revision = kv.ModRevision;
        return registration;
    }

    private static RegistryHistoryLostException HistoryLost(WatchResponse answer, long told) =>
        new(answer.CompactRevision != 0
            ? $"etcd has compacted its history up to revision {answer.CompactRevision}: the changes after revision {told} can no longer be told; start again from a snapshot."
            : $"etcd cancelled the watch after revision {told} ({(string.IsNullOrEmpty(answer.CancelReason) ? "no reason given" : answer.CancelReason)}); start again from a snapshot.");

    private static RegistryUnavailableException Refused(EtcdGatewayException error) =>
        new($"etcd refused the request: {error.Message}", error);

    /// <summary>Turns an error etcd answered on purpose into the store's own exception.</summary>
    private static async Task<T> Refusable<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (EtcdGatewayException ex)
        {
            throw Refused(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The etcd watch on {Endpoint} broke ({Reason}); opening it again after the last change told")]
    private partial void LogWatchBroken(Uri endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The value of '{Name}' in etcd is not a registration; it is left out: {Reason}")]
    private partial void LogUnreadableValue(string name, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lease {LeaseId} was not revoked ({Reason}); it expires by itself")]
    private partial void LogLeaseLeftToExpire(long leaseId, string reason);
}
