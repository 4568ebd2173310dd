using RemoteModel.Models.V1;

namespace RemoteModel.Models;

/// <summary>
/// Where a model server lists its viewers while they are connected, beyond ListViewers: the
/// model server executable lists them in the name server.
/// </summary>
public interface IViewerDirectory
{
    /// <summary>Lists <paramref name="viewer"/> of <paramref name="model"/>; disposing the result unlists it.</summary>
    IAsyncDisposable Enter(string model, ViewerInfo viewer);
}
