namespace RemoteModel.Testing;

/// <summary>Where things are in the repository, found from the running test assembly.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RemoteModel.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"RemoteModel.sln not found above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootPath.Value;

    public static string Protos => Path.Combine(Root, "protos");

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
