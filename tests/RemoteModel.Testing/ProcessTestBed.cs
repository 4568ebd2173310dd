using RemoteModel.Naming.Client;
using RemoteModel.Grpc.Client;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;
using Xunit;

namespace RemoteModel.Testing;

/// <summary>
/// A name server as a real child process, and what a process test starts around it: model
/// servers serving the ticker, other processes, channels. Disposing stops them all and removes
/// the test's temporary directory.
/// </summary>
public sealed class ProcessTestBed : IAsyncDisposable
{
    /// <summary>How long a process may take to start (first runs JIT a lot on a busy machine).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<ChildProcess> _processes = [];
    private readonly List<SignedChannel> _channels = [];

    private readonly bool _authentication;

    private ProcessTestBed(string directory, bool authentication)
    {
        Directory = directory;
        _authentication = authentication;
    }

    /// <summary>The test's temporary directory.</summary>
    public string Directory { get; }

    /// <summary>The name server's address.</summary>
    public string NameServer { get; private set; } = null!;

    /// <summary>A client of the name server.</summary>
    public NamingClient Naming { get; private set; } = null!;

    /// <summary>
    /// Starts a name server on a free port, with one-second keep-alive pings so that lost holders are
    /// noticed fast. Without <paramref name="authentication"/>, it and every server of the bed run
    /// with <c>--Auth:Enabled=false</c> and the bed's channels do not sign, though the test keyring is at hand.
    /// </summary>
    public static async Task<ProcessTestBed> StartAsync(bool authentication = true)
    {
        var bed = new ProcessTestBed(System.IO.Directory.CreateTempSubdirectory("rm-proc-").FullName, authentication);
        var nameServer = bed.Track(Executables.Start(Executables.NameServer,
        [
            "--listen", "http://127.0.0.1:0", "--data-dir", Path.Combine(bed.Directory, "ns"), "--Kestrel:Limits:Http2:KeepAlivePingDelay=00:00:01", "--Kestrel:Limits:Http2:KeepAlivePingTimeout=00:00:01",
            .. bed.AuthenticationArguments,
        ]));
        bed.NameServer = (await nameServer.WaitForLineAsync("LISTENING", StartTimeout)).Split(' ')[0];
        bed.Naming = new NamingClient(bed.Channel(bed.NameServer));
        return bed;
    }

    /// <summary>A model server serving a ticker under each of <paramref name="names"/>, once they are registered.</summary>
    public Task<(ChildProcess Process, string Address)> StartTickersAsync(params string[] names) => StartTickersAsync([], names);

    /// <summary>A model server started with <paramref name="arguments"/> too, serving a ticker under each of <paramref name="names"/>, once they are registered.</summary>
    public async Task<(ChildProcess Process, string Address)> StartTickersAsync(IEnumerable<string> arguments, params string[] names)
    {
        var process = Track(Executables.Start(Executables.ModelServer,
        [
            .. names.SelectMany(n => new[] { "--model", $"{n}=RemoteModel.Examples.Ticker.TickerModel" }),
            "--assembly", Executables.TickerAssembly, "--ns", NameServer,
            .. AuthenticationArguments, .. arguments,
        ]));
        var address = (await process.WaitForLineAsync("LISTENING", StartTimeout)).Split(' ')[0];
        foreach (var name in names)
        {
            await Naming.LookupAsync(name, wait: TimeSpan.FromSeconds(10));
        }

        return (process, address);
    }

    /// <summary>Stops <paramref name="process"/> with the others.</summary>
    public ChildProcess Track(ChildProcess process)
    {
        _processes.Add(process);
        return process;
    }

    /// <summary>A channel to <paramref name="address"/>, closed with the others.</summary>
    public SignedChannel Channel(string address)
    {
        var channel = _authentication ? TestKeyring.Channel(address) : SignedChannel.ForAddress(address);
        _channels.Add(channel);
        return channel;
    }

    private string[] AuthenticationArguments => _authentication ? [] : ["--Auth:Enabled=false"];

    public async ValueTask DisposeAsync()
    {
        _channels.ForEach(c => c.Dispose());
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
