using Grpc.Core;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Web.Hosting;
using RemoteModel.Web.Security;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.Web.Live;

/// <summary>
/// The registry page's live list: every registration, from the name server's Watch (a snapshot,
/// then each change), watched again after the name server went away. <see cref="Changed"/> fires
/// at most at the display rate.
/// </summary>
internal sealed partial class RegistryWatch : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Registration> _registrations = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly WebUser _user;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task _running = Task.CompletedTask;
    private readonly RedrawPacer _redraw;

    public RegistryWatch(WebOptions options, WebUser user, TimeProvider time, ILogger<RegistryWatch> logger)
    {
        _user = user;
        _time = time;
        _logger = logger;
        _redraw = new RedrawPacer(options.DisplayRateHz, time);
        NameServer = NameServerLocator.Resolve(options.NameServer is { Length: > 0 } ns ? ns : null);
    }

    /// <summary>The name server's address.</summary>
    public string NameServer { get; }

    /// <summary>connecting, watching, or lost (why).</summary>
    public string Connection { get; private set; } = "connecting";

    public event Func<Task>? Changed;

    /// <summary>The registrations now, in name order.</summary>
    public IReadOnlyList<Registration> Registrations
    {
        get
        {
            lock (_gate)
            {
                return [.. _registrations.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
            }
        }
    }

    public void Start() => _running = Task.WhenAll(
        Task.Run(() => WatchAsync(_closing.Token)),
        Task.Run(() => _redraw.RunAsync(() => Changed?.Invoke() ?? Task.CompletedTask, _closing.Token)));

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _running;
        _closing.Dispose();
    }

    private async Task WatchAsync(CancellationToken closing)
    {
        while (!closing.IsCancellationRequested)
        {
            try
            {
                using var channel = await NameServerLocator.ConnectAsync(NameServer, _user.Signer, closing);
                using var watch = new NamingClient(channel).Watch(new Selector(), new CallOptions(cancellationToken: closing));
                Dictionary<string, Registration>? snapshot = new(StringComparer.Ordinal);
                await foreach (var e in watch.ResponseStream.ReadAllAsync(closing))
                {
                    lock (_gate)
                    {
                        switch (e.Type)
                        {
                            case WatchEvent.Types.Type.Snapshot when snapshot is not null:
                                snapshot[e.Registration.Name] = e.Registration;
                                break;
                            case WatchEvent.Types.Type.SnapshotEnd when snapshot is not null:
                                // The watch's snapshot replaces what an earlier, lost watch showed.
                                _registrations.Clear();
                                foreach (var (name, registration) in snapshot)
                                {
                                    _registrations[name] = registration;
                                }

                                snapshot = null;
                                Connection = "watching";
                                break;
                            case WatchEvent.Types.Type.Registered or WatchEvent.Types.Type.Changed:
                                _registrations[e.Registration.Name] = e.Registration;
                                break;
                            case WatchEvent.Types.Type.Unregistered:
                                _registrations.Remove(e.Registration.Name);
                                break;
                        }
                    }

                    _redraw.Request();
                }
            }
            catch (Exception ex) when (!closing.IsCancellationRequested && ex is RpcException or NameServerUnreachableException or HttpRequestException or IOException)
            {
                Connection = $"lost the name server at {NameServer} ({ex.Message}); watching again in {RetryDelay.TotalSeconds:0} s";
                LogLost(_logger, NameServer, ex.Message);
                _redraw.Request();
            }
            catch (Exception ex) when (closing.IsCancellationRequested && ex is OperationCanceledException or RpcException)
            {
                return;
            }

            try
            {
                await Task.Delay(RetryDelay, _time, closing);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry watch on {NameServer} lost: {Problem}")]
    private static partial void LogLost(ILogger logger, string nameServer, string problem);
}
