using System.Runtime.CompilerServices;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using Grpc.Core;
using RemoteModel.Grpc.Authentication;
using RemoteModel.Grpc.Client;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using System.Diagnostics;
using RemoteModel.Grpc.Telemetry;

namespace RemoteModel.Models.Client;

/// <summary>What happened while following a model.</summary>
public enum FollowEventKind
{
    /// <summary>Subscribed (again): <see cref="FollowEvent.Notification"/> is the snapshot that resynchronises the follower.</summary>
    Connected,

    /// <summary>A notification: a change, a resync or a sample.</summary>
    Notification,

    /// <summary>The subscription broke; the follower tries again after <see cref="FollowEvent.RetryIn"/>.</summary>
    Lost,
}

/// <summary>How a subscription of <see cref="ModelFollower"/> started (told with <see cref="FollowEventKind.Connected"/>).</summary>
public enum SubscriptionStart
{
    /// <summary>The first subscription: a SNAPSHOT.</summary>
    Fresh,

    /// <summary>Resumed: the server replays exactly the changes missed since the last version seen (a RESUMED, then those CHANGEs).</summary>
    Resumed,

    /// <summary>
    /// Resynchronised: a snapshot in place of what was missed, because the server restarted (a
    /// RESYNC with reason EPOCH_CHANGED), no longer holds every change missed (HISTORY_GONE), or
    /// does not resume at all (a SNAPSHOT).
    /// </summary>
    Resynchronised,
}

/// <summary>One event of <see cref="ModelFollower.FollowAsync"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Endpoint">The model server's endpoint, when known.</param>
/// <param name="Notification">The snapshot (Connected) or notification; null for Lost.</param>
/// <param name="Problem">Why the subscription broke (Lost).</param>
/// <param name="RetryIn">How long until the next attempt (Lost).</param>
public sealed record FollowEvent(FollowEventKind Kind, string? Endpoint, Notification? Notification, string? Problem = null, TimeSpan RetryIn = default)
{
    /// <summary>For <see cref="FollowEventKind.Connected"/>: whether the subscription resumed or resynchronised.</summary>
    public SubscriptionStart Start { get; init; }

    /// <summary>For a reconnection: the epoch and last version the follower asked to resume after.</summary>
    public (string Epoch, long Version)? ResumeAfter { get; init; }

    /// <summary>How the subscription started, in words: "resumed after v12", "resynchronised at v3: the model server restarted (epoch 9f2c..., was 41d0...)".</summary>
    public string DescribeStart()
    {
        var notification = Notification ?? new Notification();
        return (Start, ResumeAfter) switch
        {
            (SubscriptionStart.Resumed, { } after) => $"resumed after v{after.Version}: the missed changes follow",
            (SubscriptionStart.Resynchronised, { } after) => $"resynchronised at v{notification.Version}: " + notification.ResyncReason switch
            {
                Notification.Types.ResyncReason.EpochChanged => $"the model server restarted (epoch {notification.Epoch}, was {after.Epoch})",
                Notification.Types.ResyncReason.HistoryGone => $"the changes after v{after.Version} are no longer held",
                Notification.Types.ResyncReason.FellBehind => "this viewer fell behind",
                _ => "the server does not resume subscriptions",
            },
            (SubscriptionStart.Resynchronised, null) => $"resynchronised at v{notification.Version}",
            _ => $"subscribed at v{notification.Version}",
        };
    }
}

/// <summary>
/// Follows one model's notifications for as long as it is enumerated, across model-server and
/// name-server restarts: the address is resolved again at every attempt (so a server that came
/// back elsewhere is found). A new subscription names the epoch and the last version seen, so
/// the server replays exactly the changes missed (<see cref="SubscriptionStart.Resumed"/>), or,
/// when it restarted or no longer holds them, starts with a RESYNC snapshot saying why
/// (<see cref="SubscriptionStart.Resynchronised"/>); either is told as
/// <see cref="FollowEventKind.Connected"/> with the first notification. Refusals that
/// another attempt cannot cure (a bad request, a missing or refused key) end the enumeration
/// with their <see cref="RpcException"/>.
/// </summary>
/// <param name="address">Where the model is served: by name through the name server, or directly.</param>
/// <param name="request">The subscription; its model is the one followed.</param>
/// <param name="nameServer">The name server for by-name addresses; null: the usual one.</param>
/// <param name="timeProvider">The clock of the waits between attempts.</param>
public sealed class ModelFollower(ServiceAddress address, SubscribeRequest request, string? nameServer = null, TimeProvider? timeProvider = null)
{
    private static readonly HashSet<StatusCode> Permanent =
        [StatusCode.InvalidArgument, StatusCode.PermissionDenied, StatusCode.Unauthenticated, StatusCode.AlreadyExists, StatusCode.Unimplemented];

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly CallSigner? _signer;
    private readonly bool _signerSet;

    /// <summary>The first wait after a broken subscription; doubled each time up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>What signs the calls to the model server (null: unsigned); default: this process's usual key.</summary>
    public CallSigner? Signer
    {
        get => _signerSet ? _signer : Security.ClientCredentials.Default;
        init
        {
            _signer = value;
            _signerSet = true;
        }
    }

    /// <summary>Follows the model until <paramref name="cancellationToken"/> fires or a permanent refusal.</summary>
    public async IAsyncEnumerable<FollowEvent> FollowAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var delay = InitialRetryDelay;
        var seen = new ResumePoint(request.ResumeEpoch, request.ResumeAfterVersion);
        while (!cancellationToken.IsCancellationRequested)
        {
            var resumeAfter = seen.Epoch.Length > 0 ? (seen.Epoch, seen.Version) : ((string, long)?)null;
            var attempt = request.Clone();
            attempt.ResumeEpoch = resumeAfter?.Item1 ?? string.Empty;
            attempt.ResumeAfterVersion = resumeAfter?.Item2 ?? 0;
            string? endpoint = null;
            SignedChannel? channel = null;
            Exception? failure = null;
            IAsyncEnumerator<Notification>? stream = null;
            try
            {
                try
                {
                    endpoint = await address.ResolveAsync(nameServer, cancellationToken).ConfigureAwait(false);
                    channel = SignedChannel.ForAddress(endpoint, Signer);
                    stream = new ModelClient(channel).SubscribeAsync(attempt, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
                }
                catch (Exception ex) when (Transient(ex, cancellationToken) || Stopped(ex, cancellationToken))
                {
                    failure = ex;
                }

                if (stream is not null)
                {
                    var first = true;
                    while (failure is null)
                    {
                        try
                        {
                            if (!await stream.MoveNextAsync().ConfigureAwait(false))
                            {
                                failure = new RpcException(new Status(StatusCode.Unavailable, "the model server ended the subscription"));
                                break;
                            }
                        }
                        catch (Exception ex) when (Transient(ex, cancellationToken) || Stopped(ex, cancellationToken))
                        {
                            failure = ex;
                            break;
                        }

                        delay = InitialRetryDelay;
                        var notification = stream.Current;
                        seen = seen.After(notification);
                        RecordReceipt(notification);
                        yield return first
                            ? new FollowEvent(FollowEventKind.Connected, endpoint, notification) { Start = StartOf(notification, resumeAfter), ResumeAfter = resumeAfter }
                            : new FollowEvent(FollowEventKind.Notification, endpoint, notification);
                        first = false;
                    }
                }
            }
            finally
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }

                channel?.Dispose();
            }

            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            var problem = failure switch
            {
                RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
                null => "unknown",
                _ => failure.Message,
            };
            yield return new FollowEvent(FollowEventKind.Lost, endpoint, null, problem, delay);
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private static SubscriptionStart StartOf(Notification first, (string, long)? resumeAfter) => (first.Kind, resumeAfter) switch
    {
        (Notification.Types.Kind.Resumed, _) => SubscriptionStart.Resumed,
        (_, null) => SubscriptionStart.Fresh,
        _ => SubscriptionStart.Resynchronised,
    };

    /// <summary>
    /// Where a new subscription resumes: the epoch of the server and the newest version seen. A
    /// snapshot or resync sets both, a change its version; samples (taken at the current version,
    /// possibly ahead of a change still queued) and lock events move neither.
    /// </summary>
    private readonly record struct ResumePoint(string Epoch, long Version)
    {
        public ResumePoint After(Notification notification) => notification.Kind switch
        {
            Notification.Types.Kind.Snapshot or Notification.Types.Kind.Resync => new ResumePoint(notification.Epoch, notification.Version),
            Notification.Types.Kind.Resumed => this with { Epoch = notification.Epoch },
            Notification.Types.Kind.Change => this with { Version = notification.Version },
            _ => this,
        };
    }

    /// <summary>The follower was stopped: the call's end is no failure.</summary>
    private static bool Stopped(Exception exception, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested && exception is RpcException or OperationCanceledException;

    /// <summary>
    /// A span for the receipt of a change a traced call made (it carries the call's trace), when
    /// anyone traces: the last link of a Modify's trace, from the controller to this viewer.
    /// </summary>
    private void RecordReceipt(Notification notification)
    {
        if (notification.TraceParent.Length > 0 && ActivityContext.TryParse(notification.TraceParent, null, out var parent))
        {
            using var receipt = RemoteModelDiagnostics.Source.StartActivity("remotemodel.notification.receive", ActivityKind.Consumer, parent);
            receipt?.SetTag(RemoteModelDiagnostics.ModelTagName, request.Model).SetTag("remotemodel.viewer", request.ViewerName).SetTag("remotemodel.version", notification.Version);
        }
    }

    private static bool Transient(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && exception switch
        {
            RpcException rpc => !Permanent.Contains(rpc.StatusCode),
            NameServerUnreachableException or HttpRequestException or IOException => true,
            _ => false,
        };
}
