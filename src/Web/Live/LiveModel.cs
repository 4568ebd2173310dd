using Grpc.Core;
using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.Server;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Web.Hosting;
using RemoteModel.Web.Security;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Web.Live;

/// <summary>
/// One open model page's connection to its model: a viewer (subscribed with LATEST delivery at
/// the display rate, named for the page's user, so the model server lists it in the registry for
/// as long as the page is open) that follows the model across restarts, and the page's calls,
/// signed with its user's key and made on the model server the viewer is connected to.
/// <see cref="Changed"/> fires at most <see cref="WebOptions.DisplayRateHz"/> times a second with
/// a fresh <see cref="ModelView"/>: the events are applied as they come and never queued.
/// </summary>
internal sealed partial class LiveModel : IAsyncDisposable
{
    private static readonly TimeSpan SideInterval = TimeSpan.FromSeconds(1);

    private readonly WebOptions _options;
    private readonly string? _nameServer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ModelPageState _state;
    private readonly CancellationTokenSource _closing = new();
    private readonly RedrawPacer _redraw;
    private readonly Lock _gate = new();
    private SignedChannel? _channel;
    private string? _channelEndpoint;
    private Task _running = Task.CompletedTask;
    private bool _describe = true;

    public LiveModel(string model, WebUser user, string viewerName, WebOptions options, TimeProvider time, ILogger logger)
    {
        Model = model;
        User = user;
        ViewerName = viewerName;
        _options = options;
        _redraw = new RedrawPacer(options.DisplayRateHz, time);
        _nameServer = options.NameServer is { Length: > 0 } ns ? ns : null;
        _time = time;
        _logger = logger;
        _state = new ModelPageState(model, viewerName, options.PlotWindow);
        View = ModelView.Connecting(model, viewerName);
    }

    public string Model { get; }

    public WebUser User { get; }

    public string ViewerName { get; }

    /// <summary>Whether this page may change the model.</summary>
    public bool CanChange => !_options.ReadOnly;

    /// <summary>The latest view, as last handed to <see cref="Changed"/>.</summary>
    public ModelView View { get; private set; }

    /// <summary>A new view to draw; at most at the display rate.</summary>
    public event Func<ModelView, Task>? Changed;

    /// <summary>Starts following.</summary>
    public void Start()
    {
        var closing = _closing.Token;
        _running = Task.WhenAll(
            Task.Run(() => FollowAsync(closing), CancellationToken.None),
            Task.Run(() => _redraw.RunAsync(RedrawAsync, closing), CancellationToken.None),
            Task.Run(() => RefreshAsync(closing), CancellationToken.None));
        LogOpened(_logger, Model, ViewerName, User.Caller);
    }

    /// <summary>Sets properties at once, only if the model is still at <paramref name="expectedVersion"/>.</summary>
    public async Task<ModifyResponse> ModifyAsync(IReadOnlyDictionary<string, Value> values, long expectedVersion)
    {
        var request = new ModifyRequest { Model = Model, ExpectedVersion = expectedVersion };
        foreach (var (name, value) in values)
        {
            request.Values[name] = value;
        }
        return await CallAsync(client => client.ModifyAsync(request, Options()).ResponseAsync);
    }

    /// <summary>The values of <paramref name="properties"/> now, and the version they are at.</summary>
    public async Task<QueryResponse> QueryAsync(IEnumerable<string> properties) =>
        await (Client() ?? throw new RpcException(new Status(StatusCode.Unavailable, $"not connected to {Model}: {View.Connection}")))
            .QueryAsync(Model, properties, Options());

    /// <summary>Invokes an operation or a lifecycle transition.</summary>
    public async Task<InvokeResponse> InvokeAsync(string operation, IReadOnlyDictionary<string, Value> arguments)
    {
        var request = new InvokeRequest { Model = Model, Operation = operation };
        foreach (var (name, value) in arguments)
        {
            request.Arguments[name] = value;
        }
        var response = await CallAsync(client => client.InvokeAsync(request, Options()).ResponseAsync);
        lock (_gate)
        {
            _describe = true;
        }

        return response;
    }

    /// <summary>Enables (above 0), re-rates or disables (0) a periodic stream.</summary>
    public async Task<PeriodicStreamDescription> SetStreamRateAsync(string stream, double rateHz)
    {
        var response = await CallAsync(client => client.SetStreamRateAsync(Model, stream, rateHz, Options()));
        lock (_gate)
        {
            _describe = true;
        }

        return response;
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _running;
        lock (_gate)
        {
            _channel?.Dispose();
            _channel = null;
        }

        _closing.Dispose();
        LogClosed(_logger, Model, ViewerName);
    }

    private async Task<T> CallAsync<T>(Func<ModelClient, Task<T>> call)
    {
        if (!CanChange)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "this web view is read-only (--read-only)"));
        }

        var client = Client() ?? throw new RpcException(new Status(StatusCode.Unavailable, $"not connected to {Model}: {View.Connection}"));
        var result = await call(client);
        lock (_gate)
        {
            _state.ChangedByCaller = true;
        }

        return result;
    }

    private CallOptions Options(CancellationToken cancellationToken = default) => new(
        headers: new Metadata { { CallerHeaderAuthorizer.CallerHeader, User.Caller } },
        deadline: DateTime.UtcNow + _options.CallTimeout,
        cancellationToken: cancellationToken);

    /// <summary>A client on the model server the viewer is connected to now; null while it is not.</summary>
    private ModelClient? Client()
    {
        lock (_gate)
        {
            return _channel is null ? null : new ModelClient(_channel);
        }
    }

    private async Task FollowAsync(CancellationToken closing)
    {
        var request = new SubscribeRequest
        {
            Model = Model,
            ViewerName = ViewerName,
            Mode = DeliveryMode.Latest,
            MaxRateHz = _options.DisplayRateHz,
        };
        var follower = new ModelFollower(ServiceAddress.Parse(Model), request, _nameServer, _time) { Signer = User.Signer };
        try
        {
            await foreach (var e in follower.FollowAsync(closing))
            {
                lock (_gate)
                {
                    _state.Apply(e, _time.GetUtcNow());
                    if (e.Kind == FollowEventKind.Connected)
                    {
                        UseEndpoint(e.Endpoint!);
                        _describe = true;
                    }
                    else if (e.Kind == FollowEventKind.Lost)
                    {
                        UseEndpoint(null);
                    }
                }

                if (e.Kind == FollowEventKind.Lost)
                {
                    LogLost(_logger, Model, ViewerName, e.Problem ?? "unknown");
                }

                _redraw.Request();
            }
        }
        catch (RpcException ex)
        {
            // A refusal no retry can cure (no key, no permission): the page says so and stays.
            lock (_gate)
            {
                _state.Apply(new FollowEvent(FollowEventKind.Lost, null, null, $"{ex.StatusCode}: {ex.Status.Detail}; reload the page to try again", TimeSpan.Zero), _time.GetUtcNow());
            }

            _redraw.Request();
        }
    }

    private void UseEndpoint(string? endpoint)
    {
        if (endpoint == _channelEndpoint)
        {
            return;
        }

        _channel?.Dispose();
        _channel = endpoint is null ? null : SignedChannel.ForAddress(endpoint, User.Signer);
        _channelEndpoint = endpoint;
    }

    /// <summary>Hands a fresh view to the page (paced by <see cref="RedrawPacer"/> at the display rate).</summary>
    private async Task RedrawAsync()
    {
        ModelView view;
        lock (_gate)
        {
            view = _state.View();
        }

        View = view;
        if (Changed is { } changed)
        {
            await changed(view);
        }
    }

    /// <summary>Keeps the schema, the viewers and the history fresh: after a change by a caller or a transition, and the viewers every few seconds.</summary>
    private async Task RefreshAsync(CancellationToken closing)
    {
        var ticks = 0;
        while (!closing.IsCancellationRequested)
        {
            bool describe, history;
            lock (_gate)
            {
                describe = _describe || _state.LifecycleMoved;
                history = _state.ChangedByCaller;
                _describe = false;
                _state.LifecycleMoved = false;
                _state.ChangedByCaller = false;
            }

            if (Client() is { } client)
            {
                try
                {
                    var options = Options(closing);
                    var description = describe ? await client.DescribeAsync(Model, options) : null;
                    var records = history ? await client.HistoryAsync(Model, _options.HistoryLimit, options) : null;
                    var viewers = describe || history || ticks % 3 == 0 ? await client.ListViewersAsync(Model, options) : null;
                    lock (_gate)
                    {
                        if (description is not null)
                        {
                            _state.Describe(description);
                        }

                        if (records is not null)
                        {
                            _state.SetHistory(records);
                        }

                        if (viewers is not null)
                        {
                            _state.SetViewers(viewers);
                        }
                    }

                    if (description is not null || records is not null || viewers is not null)
                    {
                        _redraw.Request();
                    }
                }
                catch (RpcException ex) when (!closing.IsCancellationRequested)
                {
                    // The follower tells the page about a lost server; ask again at the next round.
                    lock (_gate)
                    {
                        _describe |= describe;
                        _state.ChangedByCaller |= history;
                    }

                    LogRefreshFailed(_logger, Model, ex.StatusCode, ex.Status.Detail);
                }
                catch (Exception ex) when (ex is OperationCanceledException or RpcException && closing.IsCancellationRequested)
                {
                    return;
                }
            }
            else
            {
                lock (_gate)
                {
                    _describe |= describe;
                    _state.ChangedByCaller |= history;
                }
            }

            ticks++;
            try
            {
                await Task.Delay(SideInterval / (describe || history ? 4 : 1), _time, closing);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Page opened on {Model} as viewer {Viewer} for {Caller}")]
    private static partial void LogOpened(ILogger logger, string model, string viewer, string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "Page closed on {Model} (viewer {Viewer})")]
    private static partial void LogClosed(ILogger logger, string model, string viewer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Page on {Model} (viewer {Viewer}) lost its model: {Problem}")]
    private static partial void LogLost(ILogger logger, string model, string viewer, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refreshing {Model}'s schema, history or viewers failed: {Code} {Detail}")]
    private static partial void LogRefreshFailed(ILogger logger, string model, StatusCode code, string detail);
}
