using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RemoteModel.Hosting;
using RemoteModel.Models;
using RemoteModel.Models.Server;
using RemoteModel.Security;

namespace RemoteModel.ModelServer;

/// <summary>Runs the model server until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static void Configure(RootCommand root)
    {
        var listen = new Option<string[]>("--listen") { Description = "Where to listen (repeatable): http://host:port, https://host:port, unix:/path. Default http://127.0.0.1:0 (a free port)." };
        var advertise = new Option<string[]>("--advertise") { Description = "Where other hosts reach this server (repeatable), registered instead of what it listens on: a URL (http://lab-pc.example:9191), or a host name alone (lab-pc.example) that keeps each listen address's scheme and port. Default: the listen addresses, a wildcard (0.0.0.0, [::]) standing for each non-loopback interface address." };
        var models = new Option<string[]>("--model") { Description = "A model to host (repeatable): NAME=TYPE, e.g. stage/1=Lab.Stage." };
        var assemblies = new Option<string[]>("--assembly") { Description = "An assembly holding model classes (repeatable)." };
        var nameServer = new Option<string?>("--ns") { Description = "The name server to register with. Default $REMOTEMODEL_NAMESERVER, then http://127.0.0.1:9090." };
        var noRegister = new Option<bool>("--no-register") { Description = "Serve without registering with a name server." };
        var relays = new Option<string[]>("--relay")
        {
            Description = "A model served elsewhere to relay (repeatable): NAME=SOURCE serves SOURCE (a model's name, or http://host:port/MODEL) as NAME; SOURCE alone serves it as SOURCE-relay.",
        };
        foreach (var option in new Option[] { listen, advertise, models, assemblies, nameServer, noRegister, relays })
        {
            root.Options.Add(option);
        }

        root.SetSettingsAction((result, settings, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>();
            Configuration.AddList(overrides, "ModelServer:Listen", result.GetValue(listen));
            Configuration.AddList(overrides, "ModelServer:Advertise", result.GetValue(advertise));
            Configuration.AddList(overrides, "ModelServer:Assemblies", result.GetValue(assemblies));
            var modelValues = result.GetValue(models) ?? [];
            for (var i = 0; i < modelValues.Length; i++)
            {
                var parts = modelValues[i].Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                {
                    Console.Error.WriteLine($"--model takes NAME=TYPE (stage/1=Lab.Stage), not '{modelValues[i]}'.");
                    return Task.FromResult(2);
                }

                overrides[$"ModelServer:Models:{i}:Name"] = parts[0];
                overrides[$"ModelServer:Models:{i}:Type"] = parts[1];
            }

            var relayValues = result.GetValue(relays) ?? [];
            for (var i = 0; i < relayValues.Length; i++)
            {
                var parts = relayValues[i].Split('=', 2);
                if (parts.Any(p => p.Length == 0))
                {
                    Console.Error.WriteLine($"--relay takes NAME=SOURCE (ticker-east=ticker) or SOURCE, not '{relayValues[i]}'.");
                    return Task.FromResult(2);
                }

                overrides[$"ModelServer:Relays:{i}:Name"] = parts.Length == 2 ? parts[0] : string.Empty;
                overrides[$"ModelServer:Relays:{i}:Source"] = parts[^1];
            }

            if (result.GetValue(nameServer) is { } ns)
            {
                overrides["ModelServer:NameServer"] = ns;
            }

            if (result.GetValue(noRegister))
            {
                overrides["ModelServer:NoRegistration"] = "true";
            }

            return RunAsync(settings, overrides, cancellationToken);
        });
    }

    private static Task<int> RunAsync(string[] configurationArguments, Dictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        var configuration = Configuration.Build(configurationArguments, overrides);
        var options = configuration.GetSection("ModelServer").Get<ModelServerOptions>() ?? new ModelServerOptions();
        if (options.Listen.Count == 0)
        {
            options.Listen.Add("http://127.0.0.1:0");
        }

        if (options.Models.Count == 0 && options.Relays.Count == 0)
        {
            Console.Error.WriteLine("No models to host: name one with --model NAME=TYPE (and --assembly PATH), or in ModelServer:Models, or relay one with --relay NAME=SOURCE.");
            return Task.FromResult(2);
        }

        if (RelaySources.Problem(options) is { } relayProblem)
        {
            Console.Error.WriteLine(relayProblem);
            return Task.FromResult(2);
        }

        return GrpcHost.RunAsync(new GrpcHostSettings
        {
            Role = "Model server",
            LoggerCategory = "RemoteModel.ModelServer",
            Configuration = configuration,
            Listen = options.Listen,
            Advertise = options.Advertise,
            ConfigureServices = services =>
            {
                services.AddSingleton(options);
                services.AddSingleton<NameServerConnection>();
                services.AddSingleton<NameServerViewerDirectory>();
                services.AddSingleton<IViewerDirectory>(provider => provider.GetRequiredService<NameServerViewerDirectory>());
                services.AddRemoteModels((registry, provider) =>
                {
                    AddModels(registry, options, provider.GetRequiredService<TimeProvider>());
                    RelaySources.Add(registry, options, provider.GetRequiredService<ServerAuthentication>().Signer);
                });
                services.AddHostedService<ModelRegistrations>();
            },
            MapServices = endpoints => endpoints.MapRemoteModels(),
        }, cancellationToken);
    }

    private static void AddModels(ModelRegistry registry, ModelServerOptions options, TimeProvider time)
    {
        var loader = new ModelTypeLoader(options.Assemblies);
        foreach (var model in options.Models)
        {
            var instance = ModelTypeLoader.Create(loader.Find(model.Type), time);
            registry.Add(model.Name, instance as System.ComponentModel.INotifyPropertyChanged
                ?? throw new InvalidOperationException($"{model.Type} does not implement INotifyPropertyChanged, so it cannot be served."));
        }
    }
}
