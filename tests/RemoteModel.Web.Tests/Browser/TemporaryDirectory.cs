namespace RemoteModel.Web.Tests.Browser;

/// <summary>A directory of the test's own, removed with what is in it.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("rm-web-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
