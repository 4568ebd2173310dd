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

/// <summary>One event of <see cref="ModelFollower.FollowAsync"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Endpoint">The model server's endpoint, when known.</param>
/// <param name="Notification">The snapshot (Connected) or notification; null for Lost.</param>
/// <param name="Problem">Why the subscription broke (Lost).</param>
/// <param name="RetryIn">How long until the next attempt (Lost).</param>
public sealed record FollowEvent(FollowEventKind Kind, string? Endpoint, Notification? Notification, string? Problem = null, TimeSpan RetryIn = default);

/// <summary>
/// Follows one model's notifications for as long as it is enumerated, across model-server and
/// name-server restarts: the address is resolved again at every attempt (so a server that came
/// back elsewhere is found), and each new subscription starts with a snapshot, told as
/// <see cref="FollowEventKind.Connected"/>, that resynchronises the follower. Refusals that
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
        while (!cancellationToken.IsCancellationRequested)
        {
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
                    stream = new ModelClient(channel).SubscribeAsync(request, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                        RecordReceipt(stream.Current);
                        yield return new FollowEvent(first ? FollowEventKind.Connected : FollowEventKind.Notification, endpoint, stream.Current);
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
            receipt?.SetTag("remotemodel.model", request.Model).SetTag("remotemodel.viewer", request.ViewerName).SetTag("remotemodel.version", notification.Version);
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
