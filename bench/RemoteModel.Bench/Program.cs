using System.Globalization;
using System.Text;
using System.Text.Json;
using RemoteModel.Bench;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using RemoteModel.Transport.Client;
using RemoteModel.Transport.Server;

// bench [--seconds N] [--out PATH] [--only csharp]
//   Runs every workload for every system and writes a markdown table.
// bench serve-echo
//   The echo server the C# workloads call, run as a separate process like the python peers.
if (args.Length > 0 && args[0] == "serve-echo")
{
    await using var server = GrpcServer.CreateBuilder().Listen("http://127.0.0.1:0").AddService(new EchoService().Bind()).Build();
    await server.StartAsync();
    Console.WriteLine($"LISTENING {new Uri(server.Addresses[0]).Port}");
    await Console.In.ReadToEndAsync(); // until the harness closes our stdin
    return 0;
}

var seconds = double.Parse(Option("--seconds") ?? "5", CultureInfo.InvariantCulture);
var output = Option("--out") ?? RepositoryPaths.Combine("bench", "RESULTS.md");
var onlyCSharp = Option("--only") == "csharp";
var duration = TimeSpan.FromSeconds(seconds);
var results = new List<Measurement>();
var notes = new List<string>();

Console.WriteLine($"Transport workloads, {seconds} s each.");
var self = Environment.ProcessPath!;
string[] selfArguments = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(Measurement).Assembly.Location] : [];
await using (var server = ChildProcess.Start(self, [.. selfArguments, "serve-echo"]))
{
    var port = await server.WaitForLineAsync("LISTENING", TimeSpan.FromSeconds(30));
    using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
    results.Add(Report(await TransportWorkloads.UnaryLatencyAsync(channel, duration)));
    results.Add(Report(await TransportWorkloads.UnaryThroughputAsync(channel, duration)));
    results.Add(Report(await TransportWorkloads.StreamAsync(channel, duration)));
}

Console.WriteLine($"Name server workloads, {seconds} s each.");
await using (var nameServer = await NameServerProcess.StartAsync())
{
    using var channel = GrpcChannel.ForAddress(nameServer.Address);
    var naming = new NamingClient(channel);
    await NamingWorkloads.RegisterLookupNamesAsync(naming);
    results.Add(Report(await NamingWorkloads.LookupLatencyAsync(naming, duration)));
    results.Add(Report(await NamingWorkloads.LookupThroughputAsync(naming, duration)));
    results.Add(Report(await NamingWorkloads.RegisterUnregisterAsync(naming, duration)));
    results.Add(Report(await NamingWorkloads.WatchLatencyAsync(naming, duration)));
}

notes.AddRange(NamingWorkloads.Notes);

if (!onlyCSharp)
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

await File.WriteAllTextAsync(output, Markdown(results, notes, seconds));
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

static string Markdown(List<Measurement> results, List<string> notes, double seconds)
{
    var text = new StringBuilder();
    text.AppendLine("# Benchmark results");
    text.AppendLine();
    text.AppendLine($"Written by `dotnet run -c Release --project bench/RemoteModel.Bench` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.");
    text.AppendLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; each workload ran {seconds} s after a warm-up.");
    text.AppendLine("Client and server are separate processes on loopback, for every system. Latencies are per operation (a call; a register + unregister pair; a registration seen), in microseconds.");
    text.AppendLine();
    foreach (var group in results.GroupBy(r => WorkloadFamily(r.Workload)))
    {
        text.AppendLine($"## {group.Key}");
        text.AppendLine();
        text.AppendLine("| workload | system | median (us) | p99 (us) | ops/s | count |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var row in group)
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
    TransportWorkloads.UnaryLatency => "Sequential unary calls",
    TransportWorkloads.UnaryThroughput => "Concurrent unary calls",
    TransportWorkloads.Stream => "Server streaming",
    NamingWorkloads.LookupLatency => "Name server: sequential lookups",
    NamingWorkloads.LookupThroughput => "Name server: concurrent lookups",
    NamingWorkloads.RegisterUnregister => "Name server: register and unregister",
    NamingWorkloads.WatchLatency => "Name server: change notification",
    _ => workload,
};
