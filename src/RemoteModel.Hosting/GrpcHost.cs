using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteModel.Security;
using Serilog;

namespace RemoteModel.Hosting;

/// <summary>
/// Runs a RemoteModel server executable until Ctrl+C or SIGTERM: Serilog from configuration, an
/// ASP.NET Core app with the executable's services on the configured endpoints
/// (<see cref="GrpcServerApplication"/>), one "ready" log line and a machine-readable
/// <c>LISTENING</c> line on standard output, then a graceful stop at the first Ctrl+C or SIGTERM
/// (a second Ctrl+C exits at once): health turns NOT_SERVING, registrations end, then streams end
/// with UNAVAILABLE and the web server stops; logs are flushed last.
/// </summary>
public static class GrpcHost
{
    /// <summary>How long a graceful stop may take before the host gives up waiting.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the server <paramref name="settings"/> describes; returns the process exit code.</summary>
    public static async Task<int> RunAsync(GrpcHostSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Log.Logger = Logging.Create(settings.Configuration);
        try
        {
            var builder = GrpcServerApplication.CreateBuilder(settings.Configuration, settings.Listen);
            builder.Services.AddSerilog(Log.Logger, dispose: false);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
            builder.Services.AddServerAuthentication();
            builder.Services.AddSingleton(new AdvertisedAddresses(settings.Advertise));
            settings.ConfigureServices(builder.Services);

            await using var app = builder.Build();
            app.MapGrpcServing();
            settings.MapServices(app);
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(settings.LoggerCategory);
            await app.StartAsync(cancellationToken);
            var listening = app.Services.GrpcAddresses();
            var addresses = app.Services.GrpcAdvertisedAddresses();
            logger.LogInformation("{Role} ready on {Addresses}, reached at {Advertised}", settings.Role, string.Join(", ", listening), string.Join(", ", addresses));
            // A machine-readable line for scripts and tests that start the server on port 0: where clients connect.
            Console.Out.WriteLine($"LISTENING {string.Join(' ', addresses)}");
            await app.WaitForShutdownAsync(CancellationToken.None);
            logger.LogInformation("{Role} stopped", settings.Role);
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Fatal(ex, "{Role} failed: {Message}", settings.Role, ex.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
