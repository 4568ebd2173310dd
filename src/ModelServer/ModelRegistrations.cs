using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteModel.Hosting;
using RemoteModel.Models.Server;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;

namespace RemoteModel.ModelServer;

/// <summary>
/// Holds one name-server registration per hosted or relayed model (a relay's metadata says
/// <c>relay-of=SOURCE</c>) for as long as the server runs, at the
/// addresses it advertises (<see cref="GrpcServerApplication.GrpcAdvertisedAddresses"/>); registers again by itself when the name server comes
/// back; ends every registration first on a graceful stop.
/// </summary>
internal sealed class ModelRegistrations(
    ModelRegistry models, IServiceProvider services, NameServerConnection nameServer, TimeProvider time, ILogger<ModelRegistrations> logger)
    : IHostedLifecycleService
{
    private readonly List<RegistrationKeeper> _keepers = [];

    // Registered once the server listens (its port may have been 0), ended before any stream closes.
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = services.GrpcAdvertisedAddresses();
        if (nameServer.Channel is not { } channel)
        {
            logger.LogWarning("Not registering with a name server (NoRegistration): clients need the direct address {Addresses}", string.Join(", ", addresses));
            return;
        }

        foreach (var host in models.Hosts)
        {
            var registration = new Registration { Name = host.Name, Kind = "model", Endpoints = { addresses } };
            registration.Metadata["type"] = host.Model.GetType().FullName ?? host.Model.GetType().Name;
            _keepers.Add(new RegistrationKeeper(registration, channel, time, logger).Start());
        }

        foreach (var relay in models.Relays)
        {
            var registration = new Registration { Name = relay.Name, Kind = "model", Endpoints = { addresses } };
            registration.Metadata["relay-of"] = relay.Source.ToString();
            _keepers.Add(new RegistrationKeeper(registration, channel, time, logger).Start());
        }

        // Served whether or not a name server answers; the keepers go on trying.
        var first = Task.WhenAll(_keepers.Select(k => k.Registered));
        if (await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken)) != first && _keepers.Count > 0)
        {
            logger.LogWarning("No name server answered at {NameServer} yet; the models are served and will be registered when one does", _keepers[0].NameServer);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        foreach (var keeper in _keepers)
        {
            await keeper.DisposeAsync();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
