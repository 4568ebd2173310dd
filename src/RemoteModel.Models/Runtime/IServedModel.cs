using RemoteModel.Grpc;
using RemoteModel.Models.V1;

namespace RemoteModel.Models.Runtime;

/// <summary>
/// A model as the model service serves it, whatever carries it: a <see cref="ModelHost"/> that
/// hosts the instance in this process, or a <see cref="Relay.ModelRelay"/> that mirrors a model
/// served elsewhere. Domain refusals are <see cref="ModelException"/>s; a relay also passes on its
/// source's refusals as the source's own gRPC status.
/// </summary>
internal interface IServedModel : IAsyncDisposable
{
    /// <summary>The name the model is served under.</summary>
    string Name { get; }

    /// <summary>The model's name, type, version and state.</summary>
    ModelSummary Summarize();

    /// <summary>The schema, lifecycle state, streams and version.</summary>
    ModelDescription Describe();

    /// <summary>The values of <paramref name="properties"/> (all when empty), with the version and time they are as of.</summary>
    QueryResponse Query(IEnumerable<string>? properties);

    /// <summary>Sets several properties atomically, on behalf of <paramref name="caller"/>.</summary>
    Task<ModifyResponse> ModifyAsync(ModifyRequest request, string caller, CancellationToken cancellationToken);

    /// <summary>Invokes an operation or lifecycle transition, on behalf of <paramref name="caller"/>.</summary>
    Task<InvokeResponse> InvokeAsync(InvokeRequest request, string caller, CancellationToken cancellationToken);

    /// <summary>Enables, re-rates or disables a periodic stream, on behalf of <paramref name="caller"/>.</summary>
    Task<PeriodicStreamDescription> SetStreamRateAsync(string stream, double rateHz, string caller, CancellationToken cancellationToken);

    /// <summary>The newest audit records, newest last; <paramref name="limit"/> 0 gives the default number.</summary>
    Task<IReadOnlyList<AuditRecord>> HistoryAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The viewers subscribed here now.</summary>
    IReadOnlyList<ViewerInfo> Viewers();

    /// <summary>Serves a viewer whose notifications <paramref name="write"/> sends, until <paramref name="cancellationToken"/> fires or the model goes.</summary>
    Task ServeViewerAsync(
        SubscribeRequest request, string peer, Func<IReadOnlyList<SerializedMessage<Notification>>, CancellationToken, Task> write,
        CancellationToken cancellationToken);
}
