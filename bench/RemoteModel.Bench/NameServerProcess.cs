using RemoteModel.Testing;

namespace RemoteModel.Bench;

/// <summary>
/// The built name server (src/NameServer, this configuration) as a child process, as shipped:
/// embedded store, default configuration, on a free loopback port, with a throwaway data directory.
/// </summary>
internal sealed class NameServerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _dataDirectory;

    private NameServerProcess(ChildProcess process, string dataDirectory, string address)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        Address = address;
    }

    /// <summary>Where it listens: <c>http://127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    public static async Task<NameServerProcess> StartAsync()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("rm-bench-ns-").FullName;
        var process = Executables.Start(Executables.NameServer, ["--listen", "http://127.0.0.1:0", "--data-dir", dataDirectory]);
        try
        {
            var address = (await process.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(60))).Split(' ')[0];
            return new NameServerProcess(process, dataDirectory, address);
        }
        catch
        {
            await process.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
