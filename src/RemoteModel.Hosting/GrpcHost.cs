using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteModel.Security;
using RemoteModel.Transport.Server;
using Serilog;

namespace RemoteModel.Hosting;

/// <summary>
/// Runs a RemoteModel server executable until Ctrl+C or SIGTERM: Serilog from configuration, a
/// generic host with the executable's services, a gRPC server on the configured endpoints (the
/// <c>Grpc</c> section), one "ready" log line and a machine-readable <c>LISTENING</c> line on
/// standard output, then a graceful stop at the first Ctrl+C or SIGTERM (a second one exits at
/// once): hosted services added by the executable stop before
/// the gRPC server does, so registrations end before streams close; logs are flushed last.
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
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
            builder.Configuration.AddConfiguration(settings.Configuration);
            builder.Logging.ClearProviders().AddSerilog(Log.Logger, dispose: false);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<IHostLifetime, SignalLifetime>();
            builder.Services.AddSingleton(services => ServerAuthentication.Create(
                settings.Configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions(),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILoggerFactory>()));
            builder.Services.AddSingleton(services =>
            {
                var server = GrpcServer.CreateBuilder()
                    .UseOptions(settings.Configuration.GetSection("Grpc").Get<GrpcServerOptions>() ?? new GrpcServerOptions())
                    .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
                    .UseCallVerifier(services.GetRequiredService<ServerAuthentication>().Verifier);
                foreach (var service in settings.Services(services))
                {
                    server.AddService(service);
                }

                var tls = settings.Configuration.GetSection("Tls").Get<TlsOptions>() ?? new TlsOptions();
                foreach (var url in settings.Listen)
                {
                    server.Listen(tls.Endpoint(url));
                }

                return new GrpcServerHostedService(server.Build());
            });
            // First registered: started first (the executable's hosted services can read its
            // addresses) and stopped last (registrations end before the streams close).
            builder.Services.AddHostedService(services => services.GetRequiredService<GrpcServerHostedService>());
            settings.ConfigureServices?.Invoke(builder.Services);

            using var host = builder.Build();
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(settings.LoggerCategory);
            var grpc = host.Services.GetRequiredService<GrpcServerHostedService>();
            await host.StartAsync(cancellationToken);
            var addresses = grpc.Server.Addresses;
            logger.LogInformation("{Role} ready on {Addresses}", settings.Role, string.Join(", ", addresses));
            // A machine-readable line for scripts and tests that start the server on port 0.
            Console.Out.WriteLine($"LISTENING {string.Join(' ', addresses)}");
            await host.WaitForShutdownAsync(CancellationToken.None);
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
