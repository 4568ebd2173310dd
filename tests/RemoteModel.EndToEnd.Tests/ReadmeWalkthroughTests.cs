using RemoteModel.Client;
using RemoteModel.Grpc.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Naming.V1;
using RemoteModel.Testing;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>
/// The README's walkthrough, command by command as written: name server, model server with the
/// ticker, two viewers, the controller's submissions, the registry listing; then a viewer killed
/// (gone from the registry) and a model-server restart the other viewer survives; and the web view
/// serving the ticker's page (in a browser: tests/RemoteModel.Web.Tests).
/// </summary>
public sealed class ReadmeWalkthroughTests : IAsyncLifetime
{
    private const string Section = "## Walkthrough: five terminals";

    private readonly Walkthrough _walkthrough = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _walkthrough.DisposeAsync();

    [Fact]
    public async Task The_five_terminals_run_as_written()
    {
        var commands = Readme.Commands(Section);
        var build = Assert.Single(commands, c => c.StartsWith("dotnet build ", StringComparison.Ordinal));
        Assert.Equal("dotnet build examples/Ticker", build);
        Assert.True(File.Exists(Executables.TickerAssembly), "dotnet test builds examples/Ticker, as the README's build command does.");
        var nameServerCommand = Assert.Single(commands, c => c == "dotnet run --project src/NameServer");
        var modelServerCommand = Assert.Single(commands, c => c.StartsWith("dotnet run --project src/ModelServer", StringComparison.Ordinal));
        var viewerCommand = Assert.Single(commands, c => c.StartsWith("dotnet run --project src/Viewer", StringComparison.Ordinal));
        var controllerCommand = Assert.Single(commands, c => c.StartsWith("dotnet run --project src/Controller", StringComparison.Ordinal));
        var listCommand = Assert.Single(commands, c => c.StartsWith("dotnet run --project src/NameServer -- list", StringComparison.Ordinal));
        var webCommand = Assert.Single(commands, c => c == "dotnet run --project src/Web");
        Assert.Equal(7, commands.Count);

        // Terminals 1 to 3.
        var nameServer = await _walkthrough.StartServerAsync(nameServerCommand);
        var modelServer = await _walkthrough.StartServerAsync(modelServerCommand);
        using var channel = SignedChannel.ForAddress(_walkthrough.NameServer);
        var naming = new NamingClient(channel);
        await naming.LookupAsync("ticker", wait: TimeSpan.FromSeconds(30));
        var viewers = new[] { _walkthrough.Start(viewerCommand), _walkthrough.Start(viewerCommand) };
        foreach (var viewer in viewers)
        {
            await viewer.WaitForLineAsync("connected to ticker", Walkthrough.StartTimeout);
        }

        // Terminal 4: the controller, the README's submissions typed in.
        var controller = _walkthrough.Start(controllerCommand);
        foreach (var line in Readme.CSharpLines(Section))
        {
            await controller.StandardInput.WriteLineAsync(line);
        }

        controller.StandardInput.Close();
        Assert.Equal(0, await controller.WaitForExitAsync(Walkthrough.StartTimeout));
        Assert.DoesNotContain(controller.Lines, line => line.Contains("error", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(controller.Lines, line => line.Contains("ACME"));

        // Every viewer saw every change, with who made it.
        var by = "by " + ClientConnections.DefaultCaller;
        foreach (var viewer in viewers)
        {
            await viewer.WaitForLineAsync(string.Empty, Walkthrough.StartTimeout, l => l.Contains("Rate=5 ") && l.Contains(by));
            await viewer.WaitForLineAsync(string.Empty, Walkthrough.StartTimeout, l => l.Contains("Symbol=\"ACME\"") && l.Contains("Rate=2 ") && l.Contains(by));
            await viewer.WaitForLineAsync(string.Empty, Walkthrough.StartTimeout, l => l.Contains("Paused=true") && l.Contains(by));
            await viewer.WaitForLineAsync(string.Empty, Walkthrough.StartTimeout, l => l.Contains("Paused=false") && l.Contains(by));
            await viewer.WaitForLineAsync(string.Empty, Walkthrough.StartTimeout, l => l.Contains("Ticks=0") && l.Contains(by));
        }

        // Any terminal: the registry lists the ticker and both viewers.
        var list = await _walkthrough.RunAsync(listCommand);
        Assert.Contains(list.Lines, l => l.StartsWith("ticker ", StringComparison.Ordinal) && l.Contains("model"));
        Assert.Equal(2, list.Lines.Count(l => l.StartsWith("ticker/viewers/", StringComparison.Ordinal) && l.Contains("viewer")));

        // A killed viewer is gone from the registry.
        viewers[0].Signal(Posix.SigKill);
        await Eventually.TrueAsync(async () => (await ViewersAsync(naming)).Count == 1, "the killed viewer to leave the registry");

        // A model-server restart: the other viewer loses the ticker, then resynchronises.
        modelServer.Signal(Posix.SigTerm);
        Assert.Equal(0, await modelServer.WaitForExitAsync(Walkthrough.StopTimeout));
        await viewers[1].WaitForLineAsync("lost ticker", Walkthrough.StartTimeout);
        await _walkthrough.StartServerAsync(modelServerCommand);
        await viewers[1].WaitForLineAsync("reconnected to ticker", Walkthrough.StartTimeout);
        await Eventually.TrueAsync(async () => (await ViewersAsync(naming)).Count == 1, "the viewer to be listed again");

        // Terminal 5: the web view serves the registry and the ticker's page.
        var web = _walkthrough.Start(webCommand);
        var webAddress = (await web.WaitForLineAsync("LISTENING", Walkthrough.StartTimeout)).Split(' ')[0].TrimEnd('/');
        using (var http = new HttpClient())
        {
            var page = await http.GetStringAsync($"{webAddress}/models/ticker");
            var script = System.Text.RegularExpressions.Regex.Match(page, "src=\"(?<path>_framework/blazor\\.web[^\"]*\\.js)\"");
            Assert.True(script.Success, "The page loads Blazor's script.");
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"{webAddress}/{script.Groups["path"].Value}")).StatusCode);
        }

        web.Signal(Posix.SigInt);
        Assert.Equal(0, await web.WaitForExitAsync(Walkthrough.StopTimeout));

        // Ctrl+C everywhere: clean stops, and the registry is left empty.
        viewers[1].Signal(Posix.SigInt);
        Assert.Equal(0, await viewers[1].WaitForExitAsync(Walkthrough.StopTimeout));
        Assert.Contains("stopped viewing ticker", viewers[1].Lines);
        await Eventually.TrueAsync(async () => (await ViewersAsync(naming)).Count == 0, "the stopped viewer to leave the registry");
        nameServer.Signal(Posix.SigInt);
        Assert.Equal(0, await nameServer.WaitForExitAsync(Walkthrough.StopTimeout));
    }

    private static async Task<List<Registration>> ViewersAsync(NamingClient naming) =>
        [.. (await naming.ListAsync(new Selector { Prefix = "ticker/viewers/" })).Registrations];
}
