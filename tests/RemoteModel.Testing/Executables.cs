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

    /// <summary>Starts <paramref name="dll"/> with <paramref name="arguments"/>.</summary>
    public static ChildProcess Start(string dll, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        ChildProcess.Start("dotnet", [dll, .. arguments], environment: environment);

    private static string Dll(string project, string assembly)
    {
        var path = RepositoryPaths.Combine("src", project, "bin", Configuration, "net10.0", assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is not built: build the solution (dotnet build RemoteModel.sln) first.");
    }
}
