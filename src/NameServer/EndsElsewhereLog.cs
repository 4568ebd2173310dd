using Microsoft.Extensions.Hosting;
using RemoteModel.Naming.Server;

namespace RemoteModel.NameServer;

/// <summary>Runs the naming service's log of registrations that end by themselves (a lease that ran out) for as long as the name server runs.</summary>
internal sealed class EndsElsewhereLog(NamingService naming) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => naming.LogEndsElsewhereAsync(stoppingToken);
}
