using System.CommandLine;
using RemoteModel.Hosting;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using RemoteModel.Naming.Client;
using RemoteModel.Security;
using Grpc.Core;
using Spectre.Console;
using RemoteModel.Hosting.Telemetry;

namespace RemoteModel.Viewer;

/// <summary>Follows one model and prints what it hears, a line an event, until Ctrl+C or SIGTERM.</summary>
internal static class FollowCommand
{
    public static void Configure(RootCommand root)
    {
        var model = new Argument<string>("model") { Description = "The model: its name (ticker, name:ticker@nshost:9090) or a direct address with --model-name." };
        var nameServer = new Option<string?>("--ns") { Description = "The name server. Default $REMOTEMODEL_NAMESERVER, then http://127.0.0.1:9090." };
        var viewerName = new Option<string?>("--name") { Description = "This viewer's name in ListViewers and the registry; generated when left out." };
        var properties = new Option<string[]>("--properties") { Description = "Only these properties (comma-separated or repeated).", AllowMultipleArgumentsPerToken = true };
        var latest = new Option<bool>("--latest") { Description = "Conflate: only the latest values, skipping what a slow terminal cannot keep up with." };
        var maxRate = new Option<double>("--max-rate") { Description = "At most this many notifications a second (0: every one)." };
        var modelName = new Option<string?>("--model-name") { Description = "The model's name on the server, when MODEL is a direct address." };
        var table = new Option<bool>("--table") { Description = "A live table, one row a property (the default on a terminal)." };
        var lines = new Option<bool>("--lines") { Description = "One line a notification (the default when the output is redirected)." };
        var refresh = new Option<double>("--refresh") { Description = "The live table is redrawn at most this many times a second.", DefaultValueFactory = _ => 4 };
        foreach (var option in new Option[] { nameServer, viewerName, properties, latest, maxRate, modelName, table, lines, refresh })
        {
            root.Options.Add(option);
        }

        root.Arguments.Add(model);
        root.SetAction(async (result, cancellationToken) =>
        {
            var target = result.GetValue(model)!;
            ServiceAddress address;
            try
            {
                address = ServiceAddress.Parse(target);
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }

            if (!ClientCredentials.TryLoadDefault(out var keyProblem))
            {
                Console.Error.WriteLine(keyProblem);
                return 1;
            }

            if (result.GetValue(table) && result.GetValue(lines))
            {
                Console.Error.WriteLine("--table and --lines exclude each other.");
                return 2;
            }

            if (result.GetValue(refresh) is not (> 0 and <= 100))
            {
                Console.Error.WriteLine("--refresh takes a rate above 0 and at most 100 a second.");
                return 2;
            }

            var name = address.Name ?? result.GetValue(modelName);
            if (name is null)
            {
                Console.Error.WriteLine($"{target} is a direct address: name the model with --model-name.");
                return 2;
            }

            var request = new SubscribeRequest
            {
                Model = name,
                ViewerName = result.GetValue(viewerName) ?? string.Empty,
                Mode = result.GetValue(latest) ? DeliveryMode.Latest : DeliveryMode.EveryChange,
                MaxRateHz = result.GetValue(maxRate),
                Properties = { (result.GetValue(properties) ?? []).SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) },
            };
            // Settings for tracing come from appsettings.json and REMOTEMODEL_ variables (REMOTEMODEL_OpenTelemetry__Enabled=true).
            using var telemetry = TelemetryExtensions.StartForTool(RemoteModel.Hosting.Configuration.Build([]));
            var follower = new ModelFollower(address, request, result.GetValue(nameServer));
            var asTable = result.GetValue(table) || (!result.GetValue(lines) && !Console.IsOutputRedirected);
            return await FollowAsync(follower, name, asTable ? result.GetValue(refresh) : null, cancellationToken);
        });
    }

    /// <summary>Follows until stopped: as a live table redrawn at most <paramref name="tableRefreshHz"/> times a second, or, without one, a line an event.</summary>
    private static async Task<int> FollowAsync(ModelFollower follower, string model, double? tableRefreshHz, CancellationToken outer)
    {
        using var shutdown = new ShutdownSignal(outer);
        var cancellationToken = shutdown.Token;
        try
        {
            if (tableRefreshHz is { } rate)
            {
                // Redirected, the table is written out at each redraw instead of drawn over itself.
                var console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
                    Out = new AnsiConsoleOutput(Console.Out),
                });
                await new LiveTable(console, model, rate, TimeProvider.System).RunAsync(follower.FollowAsync(cancellationToken), cancellationToken);
            }
            else
            {
                await WriteLinesAsync(follower, model, cancellationToken);
            }
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"{model}: {ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }

        Console.Out.WriteLine($"stopped viewing {model}");
        return 0;
    }

    private static async Task WriteLinesAsync(ModelFollower follower, string model, CancellationToken cancellationToken)
    {
        var connections = 0;
        await foreach (var e in follower.FollowAsync(cancellationToken))
        {
            Console.Out.WriteLine(e.Kind switch
            {
                // The first snapshot starts the view; a reconnection resumes (the missed changes follow) or resynchronises, and says which.
                FollowEventKind.Connected => (connections++ == 0
                        ? $"connected to {model} at {e.Endpoint} as {e.Notification!.ViewerName}"
                        : $"reconnected to {model} at {e.Endpoint}{(e.Notification!.ViewerName.Length > 0 ? " as " + e.Notification.ViewerName : string.Empty)}: {e.DescribeStart()}")
                    + Environment.NewLine + NotificationLine.Format(e.Notification),
                FollowEventKind.Notification => NotificationLine.Format(e.Notification!),
                _ => $"lost {model} ({e.Problem}); reconnecting in {e.RetryIn.TotalSeconds:0.#} s",
            });
        }
    }
}
