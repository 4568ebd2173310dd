using RemoteModel.Grpc;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// A model as the model service serves it, whatever carries it: a <see cref="ModelHost"/> that
/// hosts the instance in this process, or a <see cref="Relay.ModelRelay"/> that mirrors a model
/// served elsewhere. Domain refusals are <see cref="ModelException"/>s; a relay also passes on its
/// source's refusals as the source's own gRPC status. A host answers the calls that change the
/// model at once (completed tasks); a relay answers once its source did.
/// </summary>
internal interface IServedModel : IAsyncDisposable
{
    /// <summary>The name the model is served under.</summary>
    string Name { get; }

    /// <summary>The model's name, type, version and state.</summary>
    ModelSummary Summarize();

    /// <summary>The schema (with limits and what is memorized), lifecycle state, streams, lock, epoch and version.</summary>
    ModelDescription Describe();

    /// <summary>The values of <paramref name="properties"/> (all when empty) with their states, and the version, epoch and time they are as of.</summary>
    QueryResponse Query(IEnumerable<string>? properties);

    /// <summary>Sets several properties atomically, on behalf of <paramref name="caller"/>.</summary>
    ValueTask<ModifyResponse> ModifyAsync(ModifyRequest request, string caller, CancellationToken cancellationToken);

    /// <summary>Invokes an operation or lifecycle transition, on behalf of <paramref name="caller"/>.</summary>
    ValueTask<InvokeResponse> InvokeAsync(InvokeRequest request, string caller, CancellationToken cancellationToken);

    /// <summary>Enables, re-rates or disables a periodic stream, on behalf of <paramref name="caller"/>.</summary>
    ValueTask<PeriodicStreamDescription> SetStreamRateAsync(string stream, double rateHz, string caller, CancellationToken cancellationToken);

    /// <summary>The newest audit records, newest last; <paramref name="limit"/> 0 gives the default number.</summary>
    ValueTask<IReadOnlyList<AuditRecord>> HistoryAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Takes or renews the model's lock as a lease, for <paramref name="caller"/>.</summary>
    ValueTask<LockResponse> LockAsync(LockRequest request, string caller, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the model's lock for <paramref name="caller"/> and holds it until
    /// <paramref name="cancellationToken"/> fires (the holder's stream ended): <paramref name="write"/>
    /// sends the lock as held first. Answers the lock that was held once it is released; a lock broken
    /// by someone else ends ABORTED naming who.
    /// </summary>
    ValueTask<LockInfo> HoldLockAsync(string caller, Func<LockEvent, CancellationToken, Task> write, CancellationToken cancellationToken);

    /// <summary>Releases <paramref name="caller"/>'s own lock, or with force breaks whoever's it is.</summary>
    ValueTask<UnlockResponse> UnlockAsync(UnlockRequest request, string caller, CancellationToken cancellationToken);

    /// <summary>The viewers subscribed here now.</summary>
    IReadOnlyList<ViewerInfo> Viewers();

    /// <summary>Serves a viewer whose notifications <paramref name="write"/> sends, until <paramref name="cancellationToken"/> fires or the model goes.</summary>
    Task ServeViewerAsync(
        SubscribeRequest request, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken);
}
