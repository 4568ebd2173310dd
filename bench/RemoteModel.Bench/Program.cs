using System.Globalization;
using System.Text;
using System.Text.Json;
using RemoteModel.Bench;
using RemoteModel.Models.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Security.Verification;
using RemoteModel.Testing;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Server;

// bench [--seconds N] [--out PATH] [--only csharp] [--workloads transport,naming,query,delivery,memory]
//   Runs every workload for every system and writes a markdown table. --workloads runs only those
//   groups of this project's workloads (and no peers unless "peers" is listed too); while iterating,
//   write to another --out so bench/RESULTS.md keeps a whole run.
// bench serve-echo
//   The echo server the C# workloads call, run as a separate process like the python peers.
// bench serve-model
//   The model server the model workloads call (ModelWorkloads), likewise.
if (args.Length > 0 && args[0] == ModelWorkloads.ServeMode)
{
    await ModelWorkloads.ServeAsync();
    return 0;
}

if (args.Length > 0 && args[0] is "serve-echo" or "serve-echo-signed")
{
    // serve-echo-signed: every call must be signed with a key of the keyring $REMOTEMODEL_KEYRING names; answers are sealed.
    var builder = GrpcServer.CreateBuilder().Listen("http://127.0.0.1:0").AddService(new EchoService().Bind());
    if (args[0] == "serve-echo-signed")
    {
        builder.UseCallVerifier(new HmacCallVerifier(KeyringSource.Fixed(KeyringFile.Read(KeyringFile.Locate()))));
    }

    await using var server = builder.Build();
    await server.StartAsync();
    Console.WriteLine($"LISTENING {new Uri(server.Addresses[0]).Port}");
    await Console.In.ReadToEndAsync(); // until the harness closes our stdin
    return 0;
}

if (Environment.GetEnvironmentVariable(BenchProcess.ClientPoolVariable) is null)
{
    // See BenchProcess.ClientPoolVariable: this process, the client side, runs again with a larger shared array pool.
    return await BenchProcess.RunAgainWithClientPoolAsync(args);
}

var seconds = double.Parse(Option("--seconds") ?? "5", CultureInfo.InvariantCulture);
var output = Option("--out") ?? RepositoryPaths.Combine("bench", "RESULTS.md");
var onlyCSharp = Option("--only") == "csharp";
var groups = Option("--workloads")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("bench [--seconds N] [--out PATH] [--only csharp] [--workloads transport,naming,query,delivery,memory,peers] [--viewers 1,100,1000]");
    Console.WriteLine("  --seconds    how long each workload runs after its warm-up (default 5)");
    Console.WriteLine("  --out        the markdown file written (default bench/RESULTS.md)");
    Console.WriteLine("  --only       csharp: leave out the python peers");
    Console.WriteLine("  --workloads  only these groups (default all); peers run only when listed");
    Console.WriteLine("  --viewers    the viewer counts of the delivery workloads (default 1,100,1000)");
    return 0;
}

var viewerCounts = Option("--viewers")?.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray() ?? ModelWorkloads.ViewerCounts;
bool Runs(string group) => groups is null || groups.Contains(group);
var duration = TimeSpan.FromSeconds(seconds);
var results = new List<Measurement>();
var notes = new List<string>();
var memory = new List<ViewerMemory>();
DeliveryCosts? costs = null;

if (Runs("transport"))
{
    Console.WriteLine($"Transport workloads, {seconds} s each.");
    var (echoServer, echoAddress) = await BenchProcess.StartAsync("serve-echo");
    await using (echoServer)
    {
        using var channel = GrpcChannel.ForAddress(echoAddress);
        results.Add(Report(await TransportWorkloads.UnaryLatencyAsync(channel, duration)));
        results.Add(Report(await TransportWorkloads.UnaryThroughputAsync(channel, duration)));
        results.Add(Report(await TransportWorkloads.StreamAsync(channel, duration)));
    }

    notes.Add("Unary latency, HMAC-signed and sealed: the same sequential echo calls as the unsigned row, to a `bench serve-echo-signed` "
        + "that verifies each call (HMAC-SHA256 over the request, nonce, timestamp; replay and skew checks) with a throwaway keyring's "
        + "default key and seals the answer and its status; the client signs each call and checks the seals (docs/security.md).");

    // The cost of HMAC: the same sequential calls, signed, to a server that checks and seals them.
    var keyDirectory = Directory.CreateTempSubdirectory("rm-bench-keys-").FullName;
    try
    {
        var keyringPath = Path.Combine(keyDirectory, "keyring.json");
        var (keyring, _) = KeyringFile.ReadOrCreate(keyringPath);
        var (signedServer, signedAddress) = await BenchProcess.StartAsync("serve-echo-signed",
            new Dictionary<string, string> { [KeyringFile.KeyringVariable] = keyringPath });
        await using (signedServer)
        {
            using var signed = GrpcChannel.ForAddress(signedAddress, new GrpcChannelOptions { Signer = new HmacCallSigner(keyring.SigningKey()!) });
            results.Add(Report(await TransportWorkloads.SignedUnaryLatencyAsync(signed, duration)));
        }
    }
    finally
    {
        Directory.Delete(keyDirectory, recursive: true);
    }
}

if (Runs("naming"))
{
    Console.WriteLine($"Name server workloads, {seconds} s each.");
    await using (var nameServer = await NameServerProcess.StartAsync())
    {
        using var channel = nameServer.CreateChannel();
        var naming = new NamingClient(channel);
        await NamingWorkloads.RegisterLookupNamesAsync(naming);
        results.Add(Report(await NamingWorkloads.LookupLatencyAsync(naming, duration)));
        results.Add(Report(await NamingWorkloads.LookupThroughputAsync(naming, duration)));
        results.Add(Report(await NamingWorkloads.RegisterUnregisterAsync(naming, duration)));
        results.Add(Report(await NamingWorkloads.WatchLatencyAsync(naming, duration)));
    }

    notes.AddRange(NamingWorkloads.Notes);
}

if (Runs("query") || Runs("delivery"))
{
    Console.WriteLine($"Model server workloads, {seconds} s each.");
    var (modelServer, modelAddress) = await BenchProcess.StartAsync(ModelWorkloads.ServeMode);
    await using (modelServer)
    {
        using var channel = GrpcChannel.ForAddress(modelAddress);
        var client = new ModelClient(channel);
        if (Runs("query"))
        {
            results.Add(Report(await ModelWorkloads.QueryLatencyAsync(client, duration)));
            results.Add(Report(await ModelWorkloads.QueryThroughputAsync(client, duration)));
        }

        if (Runs("delivery"))
        {
            costs = new DeliveryCosts(modelServer.Id);
            foreach (var viewers in viewerCounts)
            {
                results.Add(Report(await ModelWorkloads.PacedDeliveryAsync(modelAddress, client, viewers, duration, costs)));
                results.Add(Report(await ModelWorkloads.SaturatedDeliveryAsync(modelAddress, client, viewers, duration, costs)));
                results.Add(Report(await ModelWorkloads.ConcurrentDeliveryAsync(modelAddress, client, viewers, duration, costs)));
            }
        }
    }
}

if (Runs("memory"))
{
    memory.Add(await ModelWorkloads.IdleViewerMemoryAsync());
    Console.WriteLine(memory[^1].ToMarkdownRow());
}

if (Runs("query") || Runs("delivery") || Runs("memory"))
{
    notes.AddRange(ModelWorkloads.Notes);
}

if (!onlyCSharp && (groups is null || groups.Contains("peers")))
{
    foreach (var peer in PythonPeers.All)
    {
        if (peer.Problem() is { } problem)
        {
            notes.Add($"{peer.System}: not measured ({problem}).");
            Console.WriteLine($"skip {peer.System}: {problem}");
            continue;
        }

        foreach (var workload in peer.Workloads)
        {
            results.Add(Report(await peer.RunAsync(workload, seconds)));
        }
    }
}

await File.WriteAllTextAsync(output, Markdown(results, costs?.Rows ?? [], memory, notes, seconds));
Console.WriteLine($"Wrote {output}");
return 0;

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static Measurement Report(Measurement measurement)
{
    Console.WriteLine(measurement.ToMarkdownRow());
    return measurement;
}

static string Markdown(List<Measurement> results, List<DeliveryCost> costs, List<ViewerMemory> memory, List<string> notes, double seconds)
{
    var text = new StringBuilder();
    text.AppendLine("# Benchmark results");
    text.AppendLine();
    text.AppendLine($"Written by `dotnet run -c Release --project bench/RemoteModel.Bench` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
    text.AppendLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; each workload ran {seconds} s after a warm-up.");
    text.AppendLine("Client and server are separate processes on loopback, for every system. Latencies are per operation (a call; a register + unregister pair; a registration seen; a change reaching one viewer), in microseconds.");
    text.AppendLine();
    foreach (var group in results.GroupBy(r => WorkloadFamily(r.Workload)))
    {
        text.AppendLine($"## {group.Key}");
        text.AppendLine();
        text.AppendLine("| workload | system | median (us) | p99 (us) | ops/s | count |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        // Each workload's rows together (C# first, then the peers), in the order the workloads ran.
        var workloadOrder = group.Select(r => r.Workload).Distinct().ToList();
        foreach (var row in group.OrderBy(r => workloadOrder.IndexOf(r.Workload)))
        {
            text.AppendLine(row.ToMarkdownRow());
        }

        text.AppendLine();
    }

    if (costs.Count > 0)
    {
        text.AppendLine($"## Model server: processor time per notification ({ModelWorkloads.System})");
        text.AppendLine();
        text.AppendLine("What each delivery row cost, whatever else the machine was doing: the server's and the client process's processor time "
            + "(the driver and every viewer, in one process) over the notifications delivered. Both processes share this machine's "
            + $"{Environment.ProcessorCount} cores, so the rate cannot pass cores / (server + client); the server alone, on one core of its own, would pass 1 / server.");
        text.AppendLine();
        text.AppendLine("| workload | server (us) | client (us) | bound here (notifications/s) | server on one core (notifications/s) |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var row in costs)
        {
            text.AppendLine(row.ToMarkdownRow());
        }

        text.AppendLine();
    }

    if (memory.Count > 0)
    {
        text.AppendLine("## Model server: memory per idle viewer");
        text.AppendLine();
        text.AppendLine("| system | viewers | server RSS before (MiB) | server RSS after (MiB) | per viewer (KiB) |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var row in memory)
        {
            text.AppendLine(row.ToMarkdownRow());
        }

        text.AppendLine();
    }

    foreach (var note in notes)
    {
        text.AppendLine($"- {note}");
    }

    return text.ToString();
}

static string WorkloadFamily(string workload) => workload switch
{
    TransportWorkloads.UnaryLatency or TransportWorkloads.SignedUnaryLatency => "Sequential unary calls",
    TransportWorkloads.UnaryThroughput => "Concurrent unary calls",
    TransportWorkloads.Stream => "Server streaming",
    NamingWorkloads.LookupLatency => "Name server: sequential lookups",
    NamingWorkloads.LookupThroughput => "Name server: concurrent lookups",
    NamingWorkloads.RegisterUnregister => "Name server: register and unregister",
    NamingWorkloads.WatchLatency => "Name server: change notification",
    ModelWorkloads.QueryLatency => "Model server: sequential queries",
    ModelWorkloads.QueryThroughput => "Model server: concurrent queries",
    _ when workload.StartsWith(ModelWorkloads.DeliveryPrefix, StringComparison.Ordinal) => "Model server: a change delivered to every viewer",
    _ => workload,
};
