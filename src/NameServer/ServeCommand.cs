using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RemoteModel.Hosting;
using RemoteModel.Naming.Consul;
using RemoteModel.Naming.Embedded;
using RemoteModel.Naming.Etcd;
using RemoteModel.Naming.Registry;
using RemoteModel.Naming.Server;
using RemoteModel.Security;

namespace RemoteModel.NameServer;

/// <summary>Runs the name server until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var listen = new Option<string[]>("--listen") { Description = "Where to listen (repeatable): http://host:port, https://host:port, unix:/path. Default http://127.0.0.1:9090." };
        var advertise = new Option<string[]>("--advertise") { Description = "Where other hosts reach this name server (repeatable), printed at start (the ready and LISTENING lines, for other hosts' REMOTEMODEL_NAMESERVER) instead of what it listens on: a URL (http://ns.lab.example:9090), or a host name alone (ns.lab.example). Default: the listen addresses, a wildcard (0.0.0.0, [::]) standing for each non-loopback interface address." };
        var store = new Option<string?>("--store") { Description = "Where the registry lives: embedded (default), etcd, consul." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the embedded store keeps static registrations." };
        var command = new Command("serve", "Run the name server (the default command).") { listen, advertise, store, dataDir };
        command.SetSettingsAction((result, settings, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            Configuration.AddList(overrides, "NameServer:Listen", result.GetValue(listen));
            Configuration.AddList(overrides, "NameServer:Advertise", result.GetValue(advertise));

            if (result.GetValue(store) is { } storeValue)
            {
                overrides["NameServer:Store"] = storeValue;
            }

            if (result.GetValue(dataDir) is { } dataDirValue)
            {
                overrides["NameServer:DataDirectory"] = dataDirValue;
            }

            return RunAsync(settings, overrides, cancellationToken);
        });
        return command;
    }

    public static Task<int> RunAsync(string[] configurationArguments, Dictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        var configuration = Configuration.Build(configurationArguments, overrides);
        var options = configuration.GetSection("NameServer").Get<NameServerOptions>() ?? new NameServerOptions();
        if (options.Listen.Count == 0)
        {
            options.Listen.Add(Naming.Client.NameServerLocator.DefaultAddress);
        }

        return GrpcHost.RunAsync(new GrpcHostSettings
        {
            Role = "Name server",
            LoggerCategory = "RemoteModel.NameServer",
            Configuration = configuration,
            Listen = options.Listen,
            Advertise = options.Advertise,
            ConfigureServices = services =>
            {
                services.AddSingleton<IRegistryStore>(provider => CreateStore(options, configuration, provider));
                services.AddNameService();
                services.AddHostedService<EndsElsewhereLog>();
            },
            MapServices = endpoints => endpoints.MapNameService(),
        }, cancellationToken);
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
