using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteModel.Hosting;
using RemoteModel.Models.Server;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;

namespace RemoteModel.ModelServer;

/// <summary>
/// Holds one name-server registration per hosted model for as long as the server runs, at the
/// addresses the gRPC server listens on; registers again by itself when the name server comes
/// back; ends every registration first on a graceful stop.
/// </summary>
internal sealed class ModelRegistrations(
    ModelRegistry models, GrpcServerHostedService grpc, NameServerConnection nameServer, TimeProvider time, ILogger<ModelRegistrations> logger)
    : IHostedService
{
    private readonly List<RegistrationKeeper> _keepers = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (nameServer.Channel is not { } channel)
        {
            logger.LogWarning("Not registering with a name server (NoRegistration): clients need the direct address {Addresses}", string.Join(", ", grpc.Server.Addresses));
            return;
        }

        foreach (var host in models.Hosts)
        {
            var registration = new Registration { Name = host.Name, Kind = "model", Endpoints = { grpc.Server.Addresses } };
            registration.Metadata["type"] = host.Model.GetType().FullName ?? host.Model.GetType().Name;
            _keepers.Add(new RegistrationKeeper(registration, channel, time, logger).Start());
        }

        // Served whether or not a name server answers; the keepers go on trying.
        var first = Task.WhenAll(_keepers.Select(k => k.Registered));
        if (await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken)) != first && _keepers.Count > 0)
        {
            logger.LogWarning("No name server answered at {NameServer} yet; the models are served and will be registered when one does", _keepers[0].NameServer);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var keeper in _keepers)
        {
            await keeper.DisposeAsync();
        }

        await models.DisposeAsync();
    }
}
