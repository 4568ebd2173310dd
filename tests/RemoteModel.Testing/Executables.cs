namespace RemoteModel.Testing;

/// <summary>
/// The project's executables, built alongside the tests (same configuration), started as real
/// child processes with <c>dotnet</c>.
/// </summary>
public static class Executables
{
    /// <summary>This build's configuration (Debug or Release), read from where the tests run.</summary>
    private static string Configuration =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    /// <summary>The name server: <c>src/NameServer</c>.</summary>
    public static string NameServer => Dll("NameServer", "remotemodel-ns");

    /// <summary>The model server: <c>src/ModelServer</c>.</summary>
    public static string ModelServer => Dll("ModelServer", "remotemodel-server");

    /// <summary>The console viewer: <c>src/Viewer</c>.</summary>
    public static string Viewer => Dll("Viewer", "remotemodel-viewer");

    /// <summary>The web view: <c>src/Web</c>.</summary>
    public static string Web => Dll("Web", "remotemodel-web");

    /// <summary>The controller REPL: <c>src/Controller</c>.</summary>
    public static string Controller => Dll("Controller", "remotemodel-controller");

    /// <summary>The ticker example's assembly, for the model server's <c>--assembly</c>: <c>examples/Ticker</c>.</summary>
    public static string TickerAssembly => Built(RepositoryPaths.Combine("examples", "Ticker", "bin", Configuration, "net10.0", "RemoteModel.Examples.Ticker.dll"));

    /// <summary>The quick start's launcher: <c>examples/TickerDemo</c>.</summary>
    public static string TickerDemo => Built(RepositoryPaths.Combine("examples", "TickerDemo", "bin", Configuration, "net10.0", "ticker-demo.dll"));

    /// <summary>Starts <paramref name="dll"/> with <paramref name="arguments"/>.</summary>
    public static ChildProcess Start(string dll, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        ChildProcess.Start("dotnet", [dll, .. arguments], environment: environment);

    private static string Dll(string project, string assembly) =>
        Built(RepositoryPaths.Combine("src", project, "bin", Configuration, "net10.0", assembly + ".dll"));

    private static string Built(string path) =>
        File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is not built: build the solution (dotnet build RemoteModel.sln) first.");
}
