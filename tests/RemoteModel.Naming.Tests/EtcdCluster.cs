using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using RemoteModel.Testing;

namespace RemoteModel.Naming.Tests;

/// <summary>
/// Real etcd members on loopback, each a child process with a data directory of its own (in
/// /dev/shm where there is one: fsync is free there), on free ports (never 2379/2380). Disposing
/// kills every member by its PID and deletes the data.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private EtcdCluster(IReadOnlyList<EtcdMember> members) => Members = members;

    public IReadOnlyList<EtcdMember> Members { get; }

    public List<Uri> ClientUrls => [.. Members.Select(m => m.ClientUrl)];

    /// <summary>Starts <paramref name="size"/> members as one new cluster and waits until it has a leader.</summary>
    public static async Task<EtcdCluster> StartAsync(int size = 1)
    {
        PeerRequirement.Require(Peer.Etcd);
        Exception? lastError = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // A port picked free may be taken by someone else before etcd binds it: then start again.
            var cluster = new EtcdCluster(Launch(size));
            try
            {
                await cluster.WaitUntilHealthyAsync();
                return cluster;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                lastError = ex;
                await cluster.DisposeAsync();
            }
        }

        throw new InvalidOperationException($"etcd ({size} members) did not start: {lastError?.Message}", lastError);
    }

    /// <summary>The member that leads now, as the members report it.</summary>
    public async Task<EtcdMember> LeaderAsync()
    {
        foreach (var member in Members.Where(m => !m.IsKilled))
        {
            var status = await member.PostAsync("v3/maintenance/status", "{}");
            var leader = status["leader"]?.GetValue<string>();
            var self = status["header"]?["member_id"]?.GetValue<string>();
            if (leader is not null && leader == self)
            {
                return member;
            }
        }

        throw new InvalidOperationException("No member says it leads.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await member.DisposeAsync();
        }
    }

    private static List<EtcdMember> Launch(int size)
    {
        var ports = FreeLoopbackPorts(2 * size);
        var token = $"rm-test-{Guid.NewGuid():N}";
        var names = Enumerable.Range(0, size).Select(i => $"m{i}").ToList();
        var initialCluster = string.Join(',', names.Select((name, i) => $"{name}=http://127.0.0.1:{ports[size + i]}"));
        return [.. names.Select((name, i) => EtcdMember.Start(name, ports[i], ports[size + i], initialCluster, token))];
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        foreach (var member in Members)
        {
            await member.WaitUntilHealthyAsync(cts.Token);
        }
    }

    /// <summary>Ports free on 127.0.0.1 now, all different: each bound to port 0 at once, then released.</summary>
    private static List<int> FreeLoopbackPorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}

/// <summary>One etcd process.</summary>
public sealed class EtcdMember : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ChildProcess _process;
    private readonly string _dataDirectory;

    private EtcdMember(string name, Uri clientUrl, ChildProcess process, string dataDirectory)
    {
        Name = name;
        ClientUrl = clientUrl;
        _process = process;
        _dataDirectory = dataDirectory;
    }

    public string Name { get; }

    public Uri ClientUrl { get; }

    public bool IsKilled { get; private set; }

    public int ProcessId => _process.Id;

    internal static EtcdMember Start(string name, int clientPort, int peerPort, string initialCluster, string clusterToken)
    {
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var dataDirectory = Path.Combine(root, $"rm-etcd-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var clientUrl = $"http://127.0.0.1:{clientPort}";
        var peerUrl = $"http://127.0.0.1:{peerPort}";
        var process = ChildProcess.Start(OutsidePeers.FindOnPath("etcd")!,
        [
            "--name", name,
            "--data-dir", Path.Combine(dataDirectory, "data"),
            "--listen-client-urls", clientUrl,
            "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl,
            "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", initialCluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", clusterToken,
            "--logger", "zap",
            "--log-outputs", "stderr",
            "--log-level", "warn",
        ], workingDirectory: dataDirectory);
        return new EtcdMember(name, new Uri(clientUrl), process, dataDirectory);
    }

    /// <summary>Posts raw JSON to the member's gateway and returns its answer: for what a test checks behind the store's back.</summary>
    public async Task<JsonNode> PostAsync(string path, string json)
    {
        using var response = await Http.PostAsync(new Uri(ClientUrl, path), new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Kills the member at once (SIGKILL), as a crash or a power cut would.</summary>
    public async Task KillAsync()
    {
        IsKilled = true;
        _process.Signal(Posix.SigKill);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    internal async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!await IsHealthyAsync(cancellationToken))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"etcd member {Name} was not healthy in time:\n{_process.StandardError}");
        }
    }

    private async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"etcd member {Name} exited while starting:\n{_process.StandardError}");
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            var health = await Http.GetStringAsync(new Uri(ClientUrl, "health"), attempt.Token);
            return health.Contains("\"health\":\"true\"", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false; // not listening yet, or no leader yet
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
