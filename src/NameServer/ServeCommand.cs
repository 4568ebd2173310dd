using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteModel.Hosting;
using RemoteModel.Naming.Consul;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Etcd;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.Server;
using RemoteModel.Transport.Server;
using Serilog;

namespace RemoteModel.NameServer;

/// <summary>Runs the name server until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string[]>("--listen") { Description = "Where to listen (repeatable): http://host:port, https://host:port, unix:/path. Default http://127.0.0.1:9090.", AllowMultipleArgumentsPerToken = true };
        var store = new Option<string?>("--store") { Description = "Where the registry lives: embedded (default), etcd, consul." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the embedded store keeps static registrations." };
        var command = new Command("serve", "Run the name server (the default command).") { listen, store, dataDir };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            var listenValues = result.GetValue(listen) ?? [];
            for (var i = 0; i < listenValues.Length; i++)
            {
                overrides[$"NameServer:Listen:{i}"] = listenValues[i];
            }

            if (result.GetValue(store) is { } storeValue)
            {
                overrides["NameServer:Store"] = storeValue;
            }

            if (result.GetValue(dataDir) is { } dataDirValue)
            {
                overrides["NameServer:DataDirectory"] = dataDirValue;
            }

            return RunAsync([.. result.UnmatchedTokens], overrides, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(string[] configurationArguments, Dictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        var configuration = Configuration.Build(configurationArguments, overrides);
        Log.Logger = Logging.Create(configuration);
        try
        {
            var options = configuration.GetSection("NameServer").Get<NameServerOptions>() ?? new NameServerOptions();
            if (options.Listen.Count == 0)
            {
                options.Listen.Add(Naming.Client.NameServerLocator.DefaultAddress);
            }

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
            builder.Configuration.AddConfiguration(configuration);
            builder.Logging.ClearProviders().AddSerilog(Log.Logger, dispose: false);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton(configuration.GetSection("Naming").Get<NamingServiceOptions>() ?? new NamingServiceOptions());
            builder.Services.AddSingleton<IRegistryStore>(services => CreateStore(options, configuration, services));
            builder.Services.AddSingleton(services => new NamingService(
                services.GetRequiredService<IRegistryStore>(),
                services.GetRequiredService<NamingServiceOptions>(),
                authorizer: null,
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<NamingService>>()));
            builder.Services.AddSingleton(services =>
            {
                var server = GrpcServer.CreateBuilder()
                    .UseOptions(configuration.GetSection("Grpc").Get<GrpcServerOptions>() ?? new GrpcServerOptions())
                    .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
                    .AddService(services.GetRequiredService<NamingService>().Bind());
                foreach (var url in options.Listen)
                {
                    server.Listen(url);
                }

                return new GrpcServerHostedService(server.Build());
            });
            builder.Services.AddHostedService(services => services.GetRequiredService<GrpcServerHostedService>());

            using var host = builder.Build();
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RemoteModel.NameServer");
            await host.StartAsync(cancellationToken);
            var addresses = host.Services.GetRequiredService<GrpcServerHostedService>().Server.Addresses;
            logger.LogInformation("Name server ready on {Addresses} with the {Store} store", string.Join(", ", addresses), options.Store);
            // A machine-readable line for scripts and tests that start the server on port 0.
            Console.Out.WriteLine($"LISTENING {string.Join(' ', addresses)}");
            await host.WaitForShutdownAsync(CancellationToken.None);
            logger.LogInformation("Name server stopped");
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Fatal(ex, "Name server failed: {Message}", ex.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    private static IRegistryStore CreateStore(NameServerOptions options, IConfiguration configuration, IServiceProvider services) =>
        options.Store.ToLowerInvariant() switch
        {
            "embedded" => new EmbeddedRegistryStore(
                new EmbeddedRegistryOptions { PersistencePath = Path.Combine(options.ResolveDataDirectory(), "registry.json") },
                services.GetRequiredService<TimeProvider>()),
            "etcd" => new EtcdRegistryStore(
                configuration.GetSection("Etcd").Get<EtcdRegistryOptions>() ?? new EtcdRegistryOptions(),
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<EtcdRegistryStore>>()),
            "consul" => new ConsulRegistryStore(
                ConsulOptions(configuration),
                handler: null,
                services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<ILogger<ConsulRegistryStore>>()),
            var other => throw new InvalidOperationException($"Unknown registry store '{other}': use embedded, etcd or consul."),
        };

    /// <summary>
    /// The <c>Consul</c> section; the ACL token, a secret, comes from configuration or, as with
    /// Consul's own tools, from <c>CONSUL_HTTP_TOKEN</c>, never from a flag.
    /// </summary>
    private static ConsulRegistryOptions ConsulOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Consul").Get<ConsulRegistryOptions>() ?? new ConsulRegistryOptions();
        options.Token ??= Environment.GetEnvironmentVariable("CONSUL_HTTP_TOKEN");
        return options;
    }
}
