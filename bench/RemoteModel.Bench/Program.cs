using System.Globalization;
using System.Text;
using Grpc.Net.Client;
using RemoteModel.Bench;
using RemoteModel.Grpc.Client;
using RemoteModel.Security.Keys;
using RemoteModel.Security.Signing;
using RemoteModel.Testing;
using RemoteModel.Testing.V1;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

// bench [--seconds N] [--out PATH] [--only csharp] [--workloads transport,naming,query,delivery,resume,fanout,memory,web]
//   Runs every workload for every system and writes a markdown table. --workloads runs only those
//   groups of this project's workloads (and no peers unless "peers" is listed too); while iterating,
//   write to another --out so bench/RESULTS.md keeps a whole run.
// bench serve-echo | serve-echo-signed | serve-echo-stock | serve-model | serve-relay
//   The servers the C# workloads call, each run as a separate process like the python peers (BenchServer).
if (args.Length > 0 && await BenchServer.TryServeAsync(args[0]))
{
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
    Console.WriteLine("bench [--seconds N] [--out PATH] [--only csharp] [--workloads transport,naming,query,delivery,resume,fanout,memory,web,peers] [--viewers 1,100,1000]");
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
WebCost? webCost = null;

if (Runs("transport"))
{
    Console.WriteLine($"Transport workloads, {seconds} s each.");
    var (echoServer, echoAddress) = await BenchProcess.StartAsync(BenchServer.EchoMode);
    await using (echoServer)
    {
        using var channel = SignedChannel.ForAddress(echoAddress);
        var echo = new Echo.EchoClient(channel);
        results.Add(Report(await TransportWorkloads.UnaryLatencyAsync(echo, duration)));
        results.Add(Report(await TransportWorkloads.UnaryThroughputAsync(echo, duration)));
        results.Add(Report(await TransportWorkloads.StreamAsync(echo, duration)));

        // The floor: the same calls on grpc-dotnet alone, its server and its channel as a template sets them up.
        var (stockServer, stockAddress) = await BenchProcess.StartAsync(BenchServer.StockEchoMode);
        await using (stockServer)
        {
            using var stockChannel = GrpcChannel.ForAddress(stockAddress);
            var stockEcho = new Echo.EchoClient(stockChannel);
            results.Add(Report(await TransportWorkloads.UnaryLatencyAsync(stockEcho, duration, TransportWorkloads.StockSystem)));
            results.Add(Report(await TransportWorkloads.UnaryThroughputAsync(stockEcho, duration, TransportWorkloads.StockSystem)));
            results.Add(Report(await TransportWorkloads.StreamAsync(stockEcho, duration, TransportWorkloads.StockSystem)));
            var (oursPaired, stockPaired) = await TransportWorkloads.FloorCostAsync(echo, stockEcho, duration);
            results.Add(Report(oursPaired));
            results.Add(Report(stockPaired));
            Console.WriteLine($"RemoteModel over grpc-dotnet alone: {oursPaired.MedianMicros - stockPaired.MedianMicros:F1} us a call (the alternating rows' medians apart)");
        }

        // The cost of HMAC: the same sequential calls, signed, to a server that checks and seals them;
        // then both kinds in turn in one window, the unsigned server still up.
        var keyDirectory = Directory.CreateTempSubdirectory("rm-bench-keys-").FullName;
        try
        {
            var keyringPath = Path.Combine(keyDirectory, "keyring.json");
            var (keyring, _) = KeyringFile.ReadOrCreate(keyringPath);
            var (signedServer, signedAddress) = await BenchProcess.StartAsync(BenchServer.SignedEchoMode,
                new Dictionary<string, string> { [KeyringFile.KeyringVariable] = keyringPath });
            await using (signedServer)
            {
                using var signed = SignedChannel.ForAddress(signedAddress, new HmacCallSigner(keyring.SigningKey()!));
                var signedEcho = new Echo.EchoClient(signed);
                results.Add(Report(await TransportWorkloads.SignedUnaryLatencyAsync(signedEcho, duration)));
                var (pairedUnsigned, pairedSigned) = await TransportWorkloads.SigningCostAsync(echo, signedEcho, duration);
                results.Add(Report(pairedUnsigned));
                results.Add(Report(pairedSigned));
                Console.WriteLine($"signing and sealing: {pairedSigned.MedianMicros - pairedUnsigned.MedianMicros:F1} us a call (the alternating rows' medians apart)");
            }
        }
        finally
        {
            Directory.Delete(keyDirectory, recursive: true);
        }
    }

    notes.Add("Echo rows of RemoteModel (C#): `bench serve-echo` serves tests/RemoteModel.Testing's EchoService (one instance) as the project "
        + "serves every service: AddAuthenticatedGrpcService/MapAuthenticatedGrpcService on Kestrel and grpc-dotnet, built as the executables "
        + "build their servers (GrpcServerApplication), with no verifier (calls unchecked, answers unsealed). The client is the generated "
        + "Echo client on one SignedChannel without a signer (a stock GrpcChannel over SocketsHttpHandler), 16-byte payloads.");
    notes.Add("grpc-dotnet alone: `bench serve-echo-stock` serves the same EchoService with nothing of the project's: "
        + "WebApplication.CreateSlimBuilder, AddGrpc, MapGrpcService, Kestrel's defaults on HTTP/2, no logging; the client is "
        + "GrpcChannel.ForAddress with the generated client. What the stock stack itself costs on this machine in the same run: "
        + "no row of the project's built on it can be faster. The alternating row calls RemoteModel's echo and grpc-dotnet alone's in turn in one "
        + "window: their medians' difference is what RemoteModel's channel and server add to a call.");
    notes.Add("Unary latency, HMAC-signed and sealed: the same sequential echo calls as the unsigned row, to a `bench serve-echo-signed` "
        + "that verifies each call (HMAC-SHA256 over the request, nonce, timestamp; replay and skew checks) with a throwaway keyring's "
        + "default key and seals the answer and its status; the client signs each call and checks the seals (docs/security.md).");
    notes.Add("Alternating rows: one unsigned call to `serve-echo`, then one signed call to `serve-echo-signed`, in turn for one window, "
        + "each timed alone, so whatever else slows the machine slows both alike; their medians' difference is what signing and sealing "
        + "cost a call (the signing aim reads it). The two rows in their own windows minutes apart can differ by more than that from "
        + "the machine's speed alone. Each call finds its processes' caches cooled by the other calls' work, and by whatever else the "
        + "machine runs: on a busy machine the difference is mostly the signing path's cache misses (an HMAC whose code and state are out of the caches "
        + "costs OpenSSL more than ten times a warm one), so it is larger there than on a quiet one. Their ops/s are each row's calls over the time those calls took.");
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

if (Runs("query") || Runs("delivery") || Runs("resume"))
{
    Console.WriteLine($"Model server workloads, {seconds} s each.");
    var (modelServer, modelAddress) = await BenchProcess.StartAsync(BenchServer.ModelMode);
    await using (modelServer)
    {
        using var channel = SignedChannel.ForAddress(modelAddress);
        var client = new ModelClient(channel);
        if (Runs("query"))
        {
            results.Add(Report(await ModelWorkloads.QueryLatencyAsync(client, duration)));
            results.Add(Report(await ModelWorkloads.QueryThroughputAsync(client, duration)));
            var (stockServer, stockAddress) = await BenchProcess.StartAsync(BenchServer.StockEchoMode);
            await using (stockServer)
            {
                using var stockChannel = GrpcChannel.ForAddress(stockAddress);
                var (query, stockEcho) = await ModelWorkloads.QueryFloorCostAsync(client, new Echo.EchoClient(stockChannel), duration);
                results.Add(Report(query));
                results.Add(Report(stockEcho));
                Console.WriteLine($"Query over grpc-dotnet alone's echo: {query.MedianMicros - stockEcho.MedianMicros:F1} us a call (the alternating rows' medians apart)");
            }
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

        if (Runs("resume"))
        {
            var (resume, snapshot) = await ModelWorkloads.ResumeAsync(client, duration);
            results.Add(Report(resume));
            results.Add(Report(snapshot));
        }
    }
}

if (Runs("fanout"))
{
    Console.WriteLine($"Fan-out workloads, {seconds} s each.");
    foreach (var (viewers, relays, rate) in new[]
    {
        (ModelWorkloads.FanOutViewers, ModelWorkloads.FanOutRelays, ModelWorkloads.FanOutRateHz),
        (ModelWorkloads.FanOutViewers, ModelWorkloads.FanOutRelays, ModelWorkloads.SustainedFanOutRateHz),
        (ModelWorkloads.HopViewers, 1, ModelWorkloads.FanOutRateHz),
    })
    {
        results.Add(Report(await ModelWorkloads.FanOutAsync(viewers, relays: 0, rate, duration)));
        results.Add(Report(await ModelWorkloads.FanOutAsync(viewers, relays, rate, duration)));
    }

    notes.Add(ModelWorkloads.FanOutNote);
}

if (Runs("memory"))
{
    memory.Add(await ModelWorkloads.IdleViewerMemoryAsync());
    Console.WriteLine(memory[^1].ToMarkdownRow());
}

if (Runs("query") || Runs("delivery") || Runs("resume") || Runs("memory"))
{
    notes.AddRange(ModelWorkloads.Notes);
}

if (Runs("web"))
{
    // At least 10 s: the per-notification cost is read over a window long enough to hold many redraws of every page.
    Console.WriteLine($"Web view workload, {WebWorkloads.Pages} pages.");
    webCost = await WebWorkloads.RunAsync(TimeSpan.FromSeconds(Math.Max(seconds, 10)), notes);
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

foreach (var aim in Aims.Read(results, memory).Where(a => a.Measured is not null))
{
    Console.WriteLine(aim.ToMarkdownRow());
}

await File.WriteAllTextAsync(output, Markdown(results, costs?.Rows ?? [], memory, webCost, notes, seconds));
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

static string Markdown(List<Measurement> results, List<DeliveryCost> costs, List<ViewerMemory> memory, WebCost? web, List<string> notes, double seconds)
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

    if (web is not null)
    {
        text.AppendLine("## Web view: memory per open page, processor time per delivered change");
        text.AppendLine();
        text.AppendLine(WebWorkloads.Description);
        text.AppendLine();
        text.AppendLine(WebCost.Header);
        text.AppendLine(web.ToMarkdownRow());
        text.AppendLine();
    }

    var aims = Aims.Read(results, memory);
    if (aims.Any(a => a.Measured is not null))
    {
        text.AppendLine("## Aims");
        text.AppendLine();
        text.AppendLine("What the move onto the stock gRPC stack aims at, each read off a row above.");
        text.AppendLine();
        text.AppendLine("| aim | measured | met | read from |");
        text.AppendLine("| --- | ---: | --- | --- |");
        foreach (var aim in aims)
        {
            text.AppendLine(aim.ToMarkdownRow());
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
    TransportWorkloads.UnaryLatency or TransportWorkloads.SignedUnaryLatency
        or TransportWorkloads.PairedUnaryLatency or TransportWorkloads.PairedSignedUnaryLatency => "Sequential unary calls",
    TransportWorkloads.UnaryThroughput => "Concurrent unary calls",
    TransportWorkloads.Stream => "Server streaming",
    NamingWorkloads.LookupLatency => "Name server: sequential lookups",
    NamingWorkloads.LookupThroughput => "Name server: concurrent lookups",
    NamingWorkloads.RegisterUnregister => "Name server: register and unregister",
    NamingWorkloads.WatchLatency => "Name server: change notification",
    ModelWorkloads.QueryLatency => "Model server: sequential queries",
    ModelWorkloads.QueryThroughput => "Model server: concurrent queries",
    ModelWorkloads.ResumeMissed or ModelWorkloads.ResumeSnapshot => "Model server: resuming a subscription against a snapshot",
    _ when workload.EndsWith(" changes/s)", StringComparison.Ordinal) => "Model server: fan-out across processes, direct and through relays",
    _ when workload.StartsWith(ModelWorkloads.DeliveryPrefix, StringComparison.Ordinal) => "Model server: a change delivered to every viewer",
    _ => workload,
};
