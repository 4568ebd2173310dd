using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteModel.Models.V1;
using Grpc.Core;
using RemoteModel.Models.Runtime;
using RemoteModel.Grpc.Server;

namespace RemoteModel.Models.Server;

/// <summary>
/// The gRPC model service over a <see cref="ModelRegistry"/>: finds the model each call names,
/// asks the authorizer who the caller is and whether it may, and hands the call to the model (hosted
/// here or relayed from elsewhere: the service does not tell them apart).
/// A host's refusal (<see cref="ModelException"/>) is answered here, and only here, with the gRPC
/// status of the same name.
/// </summary>
public sealed partial class ModelService : Model.ModelBase
{
    private readonly ModelRegistry _registry;
    private readonly IModelAuthorizer _authorizer;
    private readonly ILogger _logger;

    /// <summary>Creates the service over <paramref name="registry"/>; without an authorizer, callers name themselves (<see cref="CallerHeaderAuthorizer"/>).</summary>
    public ModelService(ModelRegistry registry, IModelAuthorizer? authorizer = null, ILogger<ModelService>? logger = null)
    {
        _registry = registry;
        _authorizer = authorizer ?? CallerHeaderAuthorizer.Instance;
        _logger = logger ?? NullLogger<ModelService>.Instance;
    }

    /// <inheritdoc />
    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        await _authorizer.AuthorizeAsync(context, ModelAction.Read, string.Empty);
        var response = new ListModelsResponse();
        response.Models.AddRange(_registry.Served.Select(h => h.Summarize()));
        return response;
    }

    /// <inheritdoc />
    public override async Task<ModelDescription> Describe(DescribeRequest request, ServerCallContext context) =>
        (await HostAsync(request.Model, ModelAction.Read, context)).Host.Describe();

    /// <inheritdoc />
    public override async Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        var (host, _) = await HostAsync(request.Model, ModelAction.Read, context);
        return await Answer((host, request), static c => ValueTask.FromResult(c.host.Query(c.request.Properties)));
    }

    /// <inheritdoc />
    public override async Task<ModifyResponse> Modify(ModifyRequest request, ServerCallContext context)
    {
        var (host, caller) = await HostAsync(request.Model, ModelAction.Modify, context);
        return await Answer((host, request, caller, context.CancellationToken), static c => c.host.ModifyAsync(c.request, c.caller, c.CancellationToken));
    }

    /// <inheritdoc />
    public override async Task<InvokeResponse> Invoke(InvokeRequest request, ServerCallContext context)
    {
        var (host, caller) = await HostAsync(request.Model, ModelAction.Invoke, context);
        return await Answer((host, request, caller, context.CancellationToken), static c => c.host.InvokeAsync(c.request, c.caller, c.CancellationToken));
    }

    /// <inheritdoc />
    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<Notification> stream, ServerCallContext context)
    {
        var (host, _) = await HostAsync(request.Model, ModelAction.Subscribe, context);
        // Everything queued for the viewer goes out with one flush; each change was serialized once for all its viewers.
        try
        {
            await host.ServeViewerAsync(request, context.Peer, stream.WriteAllAsync, context.CancellationToken);
        }
        catch (ModelException ex)
        {
            throw ModelErrorStatus.ToRpcException(ex);
        }
    }

    /// <inheritdoc />
    public override async Task<ListViewersResponse> ListViewers(ListViewersRequest request, ServerCallContext context)
    {
        var response = new ListViewersResponse();
        response.Viewers.AddRange((await HostAsync(request.Model, ModelAction.Read, context)).Host.Viewers());
        return response;
    }

    /// <inheritdoc />
    public override async Task<HistoryResponse> History(HistoryRequest request, ServerCallContext context)
    {
        var (host, _) = await HostAsync(request.Model, ModelAction.Read, context);
        var response = new HistoryResponse();
        response.Records.AddRange(await Answer((host, request.Limit, context.CancellationToken), static c => c.host.HistoryAsync(c.Limit, c.CancellationToken)));
        return response;
    }

    /// <inheritdoc />
    public override async Task<SetStreamRateResponse> SetStreamRate(SetStreamRateRequest request, ServerCallContext context)
    {
        var (host, caller) = await HostAsync(request.Model, ModelAction.SetStreamRate, context);
        return new SetStreamRateResponse
        {
            Stream = await Answer((host, request, caller, context.CancellationToken),
                static c => c.host.SetStreamRateAsync(c.request.Stream, c.request.RateHz, c.caller, c.CancellationToken)),
        };
    }

    /// <inheritdoc />
    public override async Task<LockResponse> Lock(LockRequest request, ServerCallContext context)
    {
        var (host, caller) = await HostAsync(request.Model, ModelAction.Lock, context);
        return await Answer((host, request, caller, context.CancellationToken), static c => c.host.LockAsync(c.request, c.caller, c.CancellationToken));
    }

    /// <inheritdoc />
    public override async Task HoldLock(HoldLockRequest request, IServerStreamWriter<LockEvent> stream, ServerCallContext context)
    {
        var (host, caller) = await HostAsync(request.Model, ModelAction.Lock, context);
        await Answer((host, caller, stream, context.CancellationToken), static c => c.host.HoldLockAsync(c.caller, c.stream.WriteAsync, c.CancellationToken));
    }

    /// <inheritdoc />
    public override async Task<UnlockResponse> Unlock(UnlockRequest request, ServerCallContext context)
    {
        var (host, caller) = await HostAsync(request.Model, request.Force ? ModelAction.BreakLock : ModelAction.Lock, context);
        return await Answer((host, request, caller, context.CancellationToken), static c => c.host.UnlockAsync(c.request, c.caller, c.CancellationToken));
    }

    /// <summary>
    /// Runs a call on the model; its refusal is answered with the gRPC status of the same name. Static
    /// calls and a state tuple, and a hosted model answers at once (a completed ValueTask), so nothing is
    /// allocated for it beyond the answer.
    /// </summary>
    private static async ValueTask<TResult> Answer<TState, TResult>(TState state, Func<TState, ValueTask<TResult>> call)
    {
        try
        {
            return await call(state).ConfigureAwait(false);
        }
        catch (ModelException ex)
        {
            throw ModelErrorStatus.ToRpcException(ex);
        }
    }

    private async Task<(IServedModel Host, string Caller)> HostAsync(string model, ModelAction action, ServerCallContext context)
    {
        // Authorized first, so a caller who may not see a model does not learn which ones exist.
        var caller = await _authorizer.AuthorizeAsync(context, action, model);
        var host = _registry.FindServed(model);
        if (host is null)
        {
            var hosted = _registry.Names;
            LogUnknownModel(model, context.Peer);
            throw new RpcException(new Status(StatusCode.NotFound,
                $"no model '{model}' on this server; it hosts: {(hosted.Count == 0 ? "none" : string.Join(", ", hosted))}"));
        }

        return (host, caller);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Peer} asked for unknown model {Model}")]
    private partial void LogUnknownModel(string model, string peer);
}
