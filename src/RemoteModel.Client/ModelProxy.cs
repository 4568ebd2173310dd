using System.Dynamic;
using Google.Protobuf.Collections;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using Grpc.Core;
using RemoteModel.Grpc.Client;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Client;

/// <summary>
/// One remote model, driven as if it were here. Typed: <see cref="Query"/>, <see cref="Modify"/>,
/// <see cref="Invoke"/>, <see cref="Describe"/>, <see cref="Viewers"/>, <see cref="History"/>
/// <see cref="Lock"/>, <see cref="Unlock"/> (each with an async twin). Through <c>dynamic</c>: reading a property queries it
/// (<c>t.Price</c>), setting one modifies it (<c>t.Rate = 5.0</c>), calling a method invokes the
/// operation (<c>t.Reset()</c>, <c>t.MoveTo(target: 5)</c>); the members above come first.
/// A model found by name is looked up again after its server became unreachable, so a proxy
/// outlives a model-server restart. Failures are <see cref="ModelCallException"/>s.
/// </summary>
public sealed class ModelProxy : DynamicObject, IDisposable
{
    private readonly ServiceAddress _address;
    private readonly ClientOptions _options;
    private readonly NameDirectory? _names;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private Connection? _connection;
    private ModelDescription? _description;

    private ModelProxy(ServiceAddress address, string model, ClientOptions options)
    {
        _address = address;
        _options = options;
        ModelName = model;
        _names = address.Name is null ? null : new NameDirectory(address.NameServer, options);
    }

    /// <summary>The model's name on its server.</summary>
    public string ModelName { get; }

    /// <summary>The model server's endpoint last connected to; null until connected.</summary>
    public string? Endpoint { get; private set; }

    /// <summary>
    /// Connects to a model: by name through the name server (<c>ticker</c>, <c>name:ticker@nshost:9090</c>),
    /// or directly (<c>http://host:port</c> with <paramref name="model"/>), and checks that it is there.
    /// </summary>
    /// <exception cref="ModelCallException">The name is not registered, or the server does not host the model.</exception>
    /// <exception cref="NameServerUnreachableException">No name server answers.</exception>
    public static ModelProxy Connect(string target, string? model = null, ClientOptions? options = null) =>
        Wait(ConnectAsync(target, model, options));

    /// <inheritdoc cref="Connect"/>
    public static async Task<ModelProxy> ConnectAsync(string target, string? model = null, ClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        var address = ServiceAddress.Parse(target);
        var name = address.Name ?? model
            ?? throw new ArgumentException($"{target} is a direct address: name the model too, as in Connect(\"{target}\", \"ticker\").", nameof(model));
        var proxy = new ModelProxy(address, name, options ?? ClientOptions.Default);
        try
        {
            await proxy.DescribeAsync(cancellationToken).ConfigureAwait(false);
            return proxy;
        }
        catch
        {
            proxy.Dispose();
            throw;
        }
    }

    /// <summary>The values of <paramref name="properties"/> (all when none are named), at one version.</summary>
    public ModelSnapshot Query(params string[] properties) => Wait(QueryAsync(CancellationToken.None, properties));

    /// <inheritdoc cref="Query"/>
    public Task<ModelSnapshot> QueryAsync(params string[] properties) => QueryAsync(CancellationToken.None, properties);

    /// <inheritdoc cref="Query"/>
    public Task<ModelSnapshot> QueryAsync(CancellationToken cancellationToken, params string[] properties) =>
        CallAsync(properties.Length == 0 ? "Query" : $"Query {string.Join(", ", properties)}", async (client, options) =>
        {
            var response = await client.QueryAsync(ModelName, properties, options).ConfigureAwait(false);
            return new ModelSnapshot(ModelName, response.Version, response.Time?.ToDateTimeOffset(), response.Values);
        }, cancellationToken);

    /// <summary>
    /// Sets several properties at once, atomically: <c>new { Rate = 5.0, Symbol = "X" }</c> or a
    /// dictionary. With <paramref name="expectedVersion"/>, only if the model is still at that version.
    /// </summary>
    /// <returns>The values as applied, at the version the change made.</returns>
    public ModelSnapshot Modify(object values, long? expectedVersion = null) => Wait(ModifyAsync(values, expectedVersion));

    /// <inheritdoc cref="Modify"/>
    public Task<ModelSnapshot> ModifyAsync(object values, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var named = NamedValues.From(values, nameof(values));
        return CallAsync($"Modify {ReadableText.Format(named)}", async (client, options) =>
        {
            var response = await client.ModifyAsync(ModelName, named, expectedVersion, options: options).ConfigureAwait(false);
            return new ModelSnapshot(ModelName, response.Version, null, response.Applied);
        }, cancellationToken);
    }

    /// <summary>
    /// Invokes an operation: arguments in the order the operation declares them, or one anonymous
    /// object naming them (<c>Invoke("MoveTo", new { target = 5 })</c>).
    /// </summary>
    public InvokeResult Invoke(string operation, params object?[] arguments) => Wait(InvokeAsync(operation, CancellationToken.None, arguments));

    /// <inheritdoc cref="Invoke"/>
    public Task<InvokeResult> InvokeAsync(string operation, params object?[] arguments) => InvokeAsync(operation, CancellationToken.None, arguments);

    /// <inheritdoc cref="Invoke"/>
    public Task<InvokeResult> InvokeAsync(string operation, CancellationToken cancellationToken, params object?[] arguments) =>
        arguments is [var only] && NamedValues.IsAnonymous(only)
            ? InvokeCoreAsync(operation, [], NamedValues.From(only, nameof(arguments)), cancellationToken)
            : InvokeCoreAsync(operation, arguments, new Dictionary<string, object?>(), cancellationToken);

    /// <summary>The model's schema (properties with types, units and ranges; operations with their parameters), lifecycle state, streams and version.</summary>
    public ModelDescription Describe() => Wait(DescribeAsync());

    /// <inheritdoc cref="Describe"/>
    public Task<ModelDescription> DescribeAsync(CancellationToken cancellationToken = default) =>
        CallAsync("Describe", async (client, options) => _description = await client.DescribeAsync(ModelName, options).ConfigureAwait(false), cancellationToken);

    /// <summary>The viewers subscribed to the model now.</summary>
    public IReadOnlyList<ViewerInfo> Viewers() => Wait(ViewersAsync());

    /// <inheritdoc cref="Viewers"/>
    public Task<IReadOnlyList<ViewerInfo>> ViewersAsync(CancellationToken cancellationToken = default) =>
        CallAsync("ListViewers", (client, options) => client.ListViewersAsync(ModelName, options), cancellationToken);

    /// <summary>The models the model's server hosts, this one among them: each one's type, version, lifecycle state and who holds its lock.</summary>
    public IReadOnlyList<ModelSummary> Models() => Wait(ModelsAsync());

    /// <inheritdoc cref="Models"/>
    public Task<IReadOnlyList<ModelSummary>> ModelsAsync(CancellationToken cancellationToken = default) =>
        CallAsync("ListModels", (client, options) => client.ListModelsAsync(options), cancellationToken);

    /// <summary>The newest changes and invocations, newest last: who, what, when, and how it ended. <paramref name="limit"/> 0: the server's default.</summary>
    public IReadOnlyList<AuditRecord> History(int limit = 0) => Wait(HistoryAsync(limit));

    /// <inheritdoc cref="History"/>
    public Task<IReadOnlyList<AuditRecord>> HistoryAsync(int limit = 0, CancellationToken cancellationToken = default) =>
        CallAsync("History", (client, options) => client.HistoryAsync(ModelName, limit, options), cancellationToken);

    /// <summary>
    /// Takes the model's exclusive lock for as long as the returned lock is not disposed:
    /// <c>using (t.Lock()) { t.Rate = 5.0; ... }</c>. Meanwhile everyone else's Modify, Invoke and
    /// SetStreamRate are refused; the server releases it when this process ends, however it ends.
    /// Refused (FAILED_PRECONDITION, naming the holder) while someone else holds it. An operation
    /// of the model called Lock is reached with <c>t.Invoke("Lock")</c>.
    /// </summary>
    public HeldLock Lock() => Wait(LockAsync());

    /// <inheritdoc cref="Lock"/>
    public Task<HeldLock> LockAsync(CancellationToken cancellationToken = default) =>
        CallAsync("Lock", (client, options) => client.HoldLockAsync(ModelName, options), cancellationToken);

    /// <summary>
    /// Releases this caller's lock of the model, or with <paramref name="force"/> (a key with scope
    /// admin) breaks whoever's it is; answers the lock released, null when none was held.
    /// </summary>
    public LockInfo? Unlock(bool force = false) => Wait(UnlockAsync(force));

    /// <inheritdoc cref="Unlock"/>
    public Task<LockInfo?> UnlockAsync(bool force = false, CancellationToken cancellationToken = default) =>
        CallAsync(force ? "Unlock (force)" : "Unlock", (client, options) => client.UnlockAsync(ModelName, force, options), cancellationToken);

    /// <summary>Reading a member that is not one of the proxy's own: the value of that property.</summary>
    public override bool TryGetMember(GetMemberBinder binder, out object? result)
    {
        result = Query(binder.Name)[binder.Name];
        return true;
    }

    /// <summary>Setting a member: modifies that property.</summary>
    public override bool TrySetMember(SetMemberBinder binder, object? value)
    {
        Modify(new Dictionary<string, object?> { [binder.Name] = value });
        return true;
    }

    /// <summary>Calling a method that is not one of the proxy's own: invokes that operation, with positional and named arguments.</summary>
    public override bool TryInvokeMember(InvokeMemberBinder binder, object?[]? args, out object? result)
    {
        args ??= [];
        var names = binder.CallInfo.ArgumentNames;
        var positional = args[..^names.Count];
        var named = names.Select((name, i) => (name, value: args[positional.Length + i])).ToDictionary(p => p.name, p => p.value, StringComparer.Ordinal);
        result = Wait(InvokeCoreAsync(binder.Name, positional, named, CancellationToken.None));
        return true;
    }

    /// <summary>The model's properties and operations, as far as they are known without a call.</summary>
    public override IEnumerable<string> GetDynamicMemberNames() =>
        _description is { } description ? description.Properties.Select(p => p.Name).Concat(description.Operations.Select(o => o.Name)) : [];

    /// <summary><c>ticker at http://127.0.0.1:5000: { Price = 101.2, ... } @v42</c>, queried now.</summary>
    public override string ToString()
    {
        try
        {
            return $"{ModelName} at {Endpoint}: {Query()}";
        }
        catch (Exception ex) when (ex is ModelCallException or NameServerUnreachableException or OperationCanceledException)
        {
            return $"{ModelName} at {Endpoint ?? _address.ToString()} ({ReadableText.Error(ex)})";
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connection?.Channel.Dispose();
        _names?.Dispose();
        _connecting.Dispose();
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private async Task<InvokeResult> InvokeCoreAsync(
        string operation, IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named, CancellationToken cancellationToken)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (positional.Count > 0)
        {
            var parameters = await ParametersAsync(operation, cancellationToken).ConfigureAwait(false);
            if (positional.Count > parameters.Count)
            {
                throw new ArgumentException(parameters.Count == 0
                    ? $"{ModelName}.{operation} takes no arguments; {positional.Count} given."
                    : $"{ModelName}.{operation} takes {parameters.Count} ({string.Join(", ", parameters.Select(p => p.Name))}); {positional.Count} given.");
            }

            for (var i = 0; i < positional.Count; i++)
            {
                arguments[parameters[i].Name] = positional[i];
            }
        }

        foreach (var (name, value) in named)
        {
            arguments[name] = value;
        }

        var shown = $"{operation}({string.Join(", ", arguments.Select(a => $"{a.Key} = {ReadableText.Format(a.Value)}"))})";
        return await CallAsync(shown, async (client, options) =>
            new InvokeResult(operation, await client.InvokeAsync(ModelName, operation, arguments, options: options).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The parameters of <paramref name="operation"/> in declared order, from the schema (described again if it is not known yet).</summary>
    private async Task<RepeatedField<ParameterDescription>> ParametersAsync(string operation, CancellationToken cancellationToken)
    {
        RepeatedField<ParameterDescription>? Find(ModelDescription? description) =>
            description?.Operations.FirstOrDefault(o => o.Name == operation)?.Parameters
            ?? (operation == "configure" ? description?.Lifecycle?.Configuration : null);

        return Find(_description) ?? Find(await DescribeAsync(cancellationToken).ConfigureAwait(false))
            ?? throw new ModelCallException(ModelName, $"{operation}(...)",
                new RpcException(new Status(StatusCode.NotFound, $"model '{ModelName}' has no operation '{operation}'; it has: {string.Join(", ", _description!.Operations.Select(o => o.Name))}")));
    }

    private async Task<T> CallAsync<T>(string request, Func<ModelClient, CallOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        using var cancellation = _options.Link(cancellationToken);
        var connection = await ConnectionAsync(cancellation.Token).ConfigureAwait(false);
        try
        {
            return await call(connection.Client, ClientConnections.ForCall(_options, cancellation.Token)).ConfigureAwait(false);
        }
        catch (RpcException ex) when (cancellation.Token.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was cancelled.", ex, cancellation.Token);
        }
        catch (RpcException ex)
        {
            if (ex.StatusCode == StatusCode.Unavailable && _names is not null)
            {
                // The server went away: look the name up again at the next call, where it is now.
                Forget(connection);
            }

            throw new ModelCallException(ModelName, request, ex);
        }
    }

    private async Task<Connection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } current)
        {
            return current;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                Endpoint = await ResolveAsync(cancellationToken).ConfigureAwait(false);
                var channel = ClientConnections.CreateChannel(Endpoint, _options);
                _connection = new Connection(channel, new ModelClient(channel));
            }

            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<string> ResolveAsync(CancellationToken cancellationToken)
    {
        if (_names is null)
        {
            return _address.Direct!;
        }

        try
        {
            var registration = await _names.LookupAsync(_address.Name!, cancellationToken).ConfigureAwait(false);
            return registration.Endpoints.FirstOrDefault()
                ?? throw new ModelCallException(ModelName, "lookup", new RpcException(new Status(StatusCode.FailedPrecondition, $"'{_address.Name}' is registered without an endpoint")), answeredByModel: false);
        }
        catch (RpcException ex)
        {
            throw new ModelCallException(ModelName, $"lookup at {_names.Address}", ex, answeredByModel: false);
        }
    }

    private void Forget(Connection connection)
    {
        if (Interlocked.CompareExchange(ref _connection, null, connection) == connection)
        {
            connection.Channel.Dispose();
        }
    }

    private sealed record Connection(SignedChannel Channel, ModelClient Client);
}
