using Microsoft.Extensions.Logging;
using RemoteModel.Models;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Transport.Client;

namespace RemoteModel.ModelServer;

/// <summary>
/// Lists each connected viewer in the name server as <c>MODEL/viewers/VIEWER</c> (kind
/// <c>viewer</c>), held by a stream for as long as the viewer is subscribed: when the viewer
/// leaves, or this server dies, the registration goes. All holds share one channel.
/// </summary>
internal sealed class NameServerViewerDirectory : IViewerDirectory, IDisposable
{
    private readonly GrpcChannel? _channel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NameServerViewerDirectory(ModelServerOptions options, TimeProvider time, ILogger<NameServerViewerDirectory> logger)
    {
        _channel = options.NoRegistration ? null : RegistrationKeeper.CreateChannel(NameServerLocator.Resolve(options.NameServer));
        _time = time;
        _logger = logger;
    }

    public IAsyncDisposable Enter(string model, ViewerInfo viewer)
    {
        if (_channel is null)
        {
            return NotListed.Instance;
        }

        var registration = new Registration { Name = $"{model}/viewers/{viewer.Name}", Kind = "viewer" };
        registration.Metadata["model"] = model;
        registration.Metadata["peer"] = viewer.Peer;
        registration.Metadata["mode"] = viewer.Mode.ToString();
        return new RegistrationKeeper(registration, _channel, _time, _logger).Start();
    }

    public void Dispose() => _channel?.Dispose();

    private sealed class NotListed : IAsyncDisposable
    {
        public static readonly NotListed Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
