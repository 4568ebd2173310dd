using RemoteModel.Grpc.Client;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Testing;

namespace RemoteModel.Bench;

/// <summary>
/// The built name server (src/NameServer, this configuration) as a child process, as shipped:
/// embedded store, default configuration (authentication on), on a free loopback port, with a
/// throwaway data directory and a throwaway keyring of its own (<c>$REMOTEMODEL_KEYRING</c>), so a
/// developer's keyring is never read or written. The bench signs its calls with that keyring's key.
/// </summary>
internal sealed class NameServerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _directory;

    private NameServerProcess(ChildProcess process, string directory, string address, AccessKey key)
    {
        _process = process;
        _directory = directory;
        Address = address;
        Key = key;
    }

    /// <summary>The keyring the server created: other processes of a workload are given it (<c>$REMOTEMODEL_KEYRING</c>) to sign and verify with.</summary>
    public string KeyringPath => Path.Combine(_directory, "keyring.json");

    /// <summary>Where it listens: <c>http://127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>The default key of the keyring the server created on its first start.</summary>
    public AccessKey Key { get; }

    public static async Task<NameServerProcess> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("rm-bench-ns-").FullName;
        var dataDirectory = Path.Combine(directory, "data");
        var keyring = Path.Combine(directory, "keyring.json");
        Directory.CreateDirectory(dataDirectory);
        var process = Executables.Start(Executables.NameServer, ["--listen", "http://127.0.0.1:0", "--data-dir", dataDirectory],
            new Dictionary<string, string> { [KeyringFile.KeyringVariable] = keyring });
        try
        {
            var address = (await process.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(60))).Split(' ')[0];
            var key = KeyringFile.Read(keyring).SigningKey()
                ?? throw new InvalidOperationException($"The name server's keyring {keyring} names no default key.");
            return new NameServerProcess(process, directory, address, key);
        }
        catch
        {
            await process.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>A channel to the server whose calls are signed with <see cref="Key"/>, as a local tool's are.</summary>
    public SignedChannel CreateChannel() => SignedChannel.ForAddress(Address, new HmacCallSigner(Key));

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
