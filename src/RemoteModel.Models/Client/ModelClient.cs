using System.Runtime.CompilerServices;
using RemoteModel.Models.V1;
using RemoteModel.Transport;
using RemoteModel.Transport.Client;

namespace RemoteModel.Models.Client;

/// <summary>A typed client for a model server.</summary>
/// <param name="channel">The channel to the model server.</param>
public sealed class ModelClient(GrpcChannel channel)
{
    /// <summary>The channel this client calls on.</summary>
    public GrpcChannel Channel { get; } = channel;

    /// <summary>The models the server hosts.</summary>
    public async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CallOptions options = default) =>
        (await Channel.UnaryAsync(ModelMethods.ListModels, new ListModelsRequest(), options)).Models;

    /// <summary>A model's schema, lifecycle state, streams and version.</summary>
    public Task<ModelDescription> DescribeAsync(string model, CallOptions options = default) =>
        Channel.UnaryAsync(ModelMethods.Describe, new DescribeRequest { Model = model }, options);

    /// <summary>The values of <paramref name="properties"/> (all when none are given).</summary>
    public Task<QueryResponse> QueryAsync(string model, IEnumerable<string>? properties = null, CallOptions options = default) =>
        Channel.UnaryAsync(ModelMethods.Query, new QueryRequest { Model = model, Properties = { properties ?? [] } }, options);

    /// <summary>Sets several properties atomically; values are CLR values (converted with <see cref="ModelValues.ToValue"/>) or <see cref="Value"/>s.</summary>
    public Task<ModifyResponse> ModifyAsync(
        string model, IReadOnlyDictionary<string, object?> values, long? expectedVersion = null, bool dryRun = false, CallOptions options = default)
    {
        var request = new ModifyRequest { Model = model, DryRun = dryRun };
        foreach (var (name, value) in values)
        {
            request.Values[name] = ModelValues.ToValue(value);
        }

        if (expectedVersion is { } version)
        {
            request.ExpectedVersion = version;
        }

        return Channel.UnaryAsync(ModelMethods.Modify, request, options);
    }

    /// <summary>Invokes an operation (or a lifecycle transition: init, configure, invalidate, deinit) with CLR or <see cref="Value"/> arguments.</summary>
    public Task<InvokeResponse> InvokeAsync(
        string model, string operation, IReadOnlyDictionary<string, object?>? arguments = null, long? expectedVersion = null, CallOptions options = default)
    {
        var request = new InvokeRequest { Model = model, Operation = operation };
        foreach (var (name, value) in arguments ?? new Dictionary<string, object?>())
        {
            request.Arguments[name] = ModelValues.ToValue(value);
        }

        if (expectedVersion is { } version)
        {
            request.ExpectedVersion = version;
        }

        return Channel.UnaryAsync(ModelMethods.Invoke, request, options);
    }

    /// <summary>The raw subscription call: a SNAPSHOT, then CHANGE, RESYNC and SAMPLE notifications.</summary>
    public ServerStreamingCall<Notification> Subscribe(SubscribeRequest request, CallOptions options = default) =>
        Channel.ServerStreaming(ModelMethods.Subscribe, request, options);

    /// <summary>Subscribes and enumerates the notifications until the stream ends or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<Notification> SubscribeAsync(
        SubscribeRequest request, CallOptions options = default, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = Subscribe(request, options);
        await foreach (var notification in call.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return notification;
        }
    }

    /// <summary>The viewers subscribed to a model now.</summary>
    public async Task<IReadOnlyList<ViewerInfo>> ListViewersAsync(string model, CallOptions options = default) =>
        (await Channel.UnaryAsync(ModelMethods.ListViewers, new ListViewersRequest { Model = model }, options)).Viewers;

    /// <summary>The newest audit records of a model, newest last; <paramref name="limit"/> 0: the server's default.</summary>
    public async Task<IReadOnlyList<AuditRecord>> HistoryAsync(string model, int limit = 0, CallOptions options = default) =>
        (await Channel.UnaryAsync(ModelMethods.History, new HistoryRequest { Model = model, Limit = limit }, options)).Records;

    /// <summary>Enables (above 0), re-rates or disables (0) a periodic stream.</summary>
    public async Task<PeriodicStreamDescription> SetStreamRateAsync(string model, string stream, double rateHz, CallOptions options = default) =>
        (await Channel.UnaryAsync(ModelMethods.SetStreamRate, new SetStreamRateRequest { Model = model, Stream = stream, RateHz = rateHz }, options)).Stream;
}
