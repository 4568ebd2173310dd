using System.Runtime.CompilerServices;
using Grpc.Core;
using RemoteModel.Models.V1;
using RemoteModel.Models.Values;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Client;

/// <summary>A model server's calls in the terms people use: a model's name, CLR values, a version.</summary>
public static class ModelClientExtensions
{
    /// <summary>The models the server hosts.</summary>
    public static async Task<IReadOnlyList<ModelSummary>> ListModelsAsync(this ModelClient client, CallOptions options = default) =>
        (await client.ListModelsAsync(new ListModelsRequest(), options)).Models;

    /// <summary>A model's schema, lifecycle state, streams and version.</summary>
    public static async Task<ModelDescription> DescribeAsync(this ModelClient client, string model, CallOptions options = default) =>
        await client.DescribeAsync(new DescribeRequest { Model = model }, options);

    /// <summary>The values of <paramref name="properties"/> (all when none are given).</summary>
    public static async Task<QueryResponse> QueryAsync(this ModelClient client, string model, IEnumerable<string>? properties = null, CallOptions options = default) =>
        await client.QueryAsync(new QueryRequest { Model = model, Properties = { properties ?? [] } }, options);

    /// <summary>Sets several properties atomically; values are CLR values (converted with <see cref="ModelValues.ToValue"/>) or <see cref="Value"/>s.</summary>
    public static async Task<ModifyResponse> ModifyAsync(
        this ModelClient client, string model, IReadOnlyDictionary<string, object?> values, long? expectedVersion = null, bool dryRun = false, CallOptions options = default)
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

        return await client.ModifyAsync(request, options);
    }

    /// <summary>Invokes an operation (or a lifecycle transition: init, configure, invalidate, deinit) with CLR or <see cref="Value"/> arguments.</summary>
    public static async Task<InvokeResponse> InvokeAsync(
        this ModelClient client, string model, string operation, IReadOnlyDictionary<string, object?>? arguments = null, long? expectedVersion = null, CallOptions options = default)
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

        return await client.InvokeAsync(request, options);
    }

    /// <summary>Subscribes and enumerates the notifications (a SNAPSHOT, then CHANGE, RESYNC and SAMPLE) until the stream ends or <paramref name="cancellationToken"/> fires.</summary>
    public static async IAsyncEnumerable<Notification> SubscribeAsync(
        this ModelClient client, SubscribeRequest request, CallOptions options = default, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = client.Subscribe(request, options.CancellationToken.CanBeCanceled ? options : options.WithCancellationToken(cancellationToken));
        await foreach (var notification in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return notification;
        }
    }

    /// <summary>The viewers subscribed to a model now.</summary>
    public static async Task<IReadOnlyList<ViewerInfo>> ListViewersAsync(this ModelClient client, string model, CallOptions options = default) =>
        (await client.ListViewersAsync(new ListViewersRequest { Model = model }, options)).Viewers;

    /// <summary>The newest audit records of a model, newest last; <paramref name="limit"/> 0: the server's default.</summary>
    public static async Task<IReadOnlyList<AuditRecord>> HistoryAsync(this ModelClient client, string model, int limit = 0, CallOptions options = default) =>
        (await client.HistoryAsync(new HistoryRequest { Model = model, Limit = limit }, options)).Records;

    /// <summary>Enables (above 0), re-rates or disables (0) a periodic stream.</summary>
    public static async Task<PeriodicStreamDescription> SetStreamRateAsync(this ModelClient client, string model, string stream, double rateHz, CallOptions options = default) =>
        (await client.SetStreamRateAsync(new SetStreamRateRequest { Model = model, Stream = stream, RateHz = rateHz }, options)).Stream;

    /// <summary>
    /// Takes (or renews) a model's lock as a lease of <paramref name="validity"/> (null: the server's
    /// default, 10 s); renew it by calling again before it lapses.
    /// </summary>
    public static async Task<LockInfo> LockAsync(this ModelClient client, string model, TimeSpan? validity = null, CallOptions options = default) =>
        (await client.LockAsync(new LockRequest { Model = model, Validity = validity is { } v ? Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(v) : null }, options)).Lock;

    /// <summary>
    /// Holds a model's lock for as long as the returned <see cref="HeldLock"/> is not disposed (an
    /// open HoldLock stream); answers once the server says it is held. The deadline and token of
    /// <paramref name="options"/> bound only the taking.
    /// </summary>
    public static Task<HeldLock> HoldLockAsync(this ModelClient client, string model, CallOptions options = default) =>
        HeldLock.TakeAsync(client, model, options, () => new CallOptions(options.Headers, DateTime.UtcNow + TimeSpan.FromSeconds(10)));

    /// <summary>Releases one's own lock, or with <paramref name="force"/> (scope admin) breaks anyone's; answers the lock released, or null when none was held.</summary>
    public static async Task<LockInfo?> UnlockAsync(this ModelClient client, string model, bool force = false, CallOptions options = default) =>
        (await client.UnlockAsync(new UnlockRequest { Model = model, Force = force }, options)).Released;
}
