using Microsoft.Extensions.Logging;
using RemoteModel.Models;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;

namespace RemoteModel.ModelServer;

/// <summary>
/// Lists each connected viewer in the name server as <c>MODEL/viewers/VIEWER</c> (kind
/// <c>viewer</c>), held by a stream for as long as the viewer is subscribed: when the viewer
/// leaves, or this server dies, the registration goes.
/// </summary>
internal sealed class NameServerViewerDirectory(NameServerConnection nameServer, TimeProvider time, ILogger<NameServerViewerDirectory> logger)
    : IViewerDirectory
{
    public IAsyncDisposable Enter(string model, ViewerInfo viewer)
    {
        if (nameServer.Channel is not { } channel)
        {
            return NotListed.Instance;
        }

        var registration = new Registration { Name = $"{model}/viewers/{viewer.Name}", Kind = "viewer" };
        registration.Metadata["model"] = model;
        registration.Metadata["peer"] = viewer.Peer;
        registration.Metadata["mode"] = viewer.Mode.ToString();
        return new RegistrationKeeper(registration, channel, time, logger).Start();
    }

    private sealed class NotListed : IAsyncDisposable
    {
        public static readonly NotListed Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
