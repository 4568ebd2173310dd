using System.Text.Json;
using RemoteModel.Testing;

namespace RemoteModel.Models.Tests;

/// <summary>
/// Stock gRPC clients in other languages (python grpcio, @grpc/grpc-js), written from the .proto
/// alone, read each value's quality and source time and the host's epoch, resume a subscription with
/// exactly the missed versions, and are told by a RESYNC that the epoch changed.
/// </summary>
public sealed class ValuesInteropTests
{
    private static readonly string[] Cases = ["quality", "epoch", "resume", "resync"];

    [PeerFact(Peer.PythonGrpc)]
    public Task Python_grpcio_reads_quality_and_epoch_and_resumes() =>
        RunAsync(OutsidePeers.Python, ["tests", "interop", "python", "model_values_client.py"]);

    [PeerFact(Peer.NodeGrpc)]
    public Task Grpc_js_reads_quality_and_epoch_and_resumes() =>
        RunAsync("node", ["tests", "interop", "node", "model_values_client.js"]);

    [PeerFact(Peer.PythonGrpc)]
    public async Task The_python_example_marks_a_value_that_is_not_valid_with_its_quality_and_why()
    {
        var stubs = Directory.CreateTempSubdirectory("remotemodel-stubs-");
        try
        {
            await using (var protoc = ChildProcess.Start(OutsidePeers.Python,
                ["-m", "grpc_tools.protoc", "-I", RepositoryPaths.Combine("protos"), $"--python_out={stubs.FullName}", $"--grpc_python_out={stubs.FullName}",
                 RepositoryPaths.Combine("protos", "remotemodel", "v1", "naming.proto"), RepositoryPaths.Combine("protos", "remotemodel", "v1", "model.proto")]))
            {
                Assert.Equal(0, await protoc.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            }

            const string Show = """
                from remotemodel.v1 import model_pb2 as m
                import ticker_client
                n = m.Notification(kind=m.Notification.CHANGE, version=7, changed_by="model", cause="model",
                    values={"Price": m.Value(double_value=121.5), "Ticks": m.Value(int_value=3)},
                    states={"Price": m.ValueState(quality=m.QUALITY_ALARM, reason="above high alarm limit 120")})
                print(ticker_client.describe(n))
                print(ticker_client.describe(m.Notification(kind=m.Notification.RESYNC, version=0, epoch="0f1e2d3c4b5a6978", values={"Ticks": m.Value(int_value=0)})))
                """;
            await using var python = ChildProcess.Start(OutsidePeers.Python, ["-c", Show],
                environment: new Dictionary<string, string> { ["PYTHONPATH"] = $"{stubs.FullName}:{RepositoryPaths.Combine("examples", "python")}" });
            Assert.True(await python.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, python.StandardError);

            Assert.Equal(
                ["CHANGE v7 Price=121.5 [ALARM: above high alarm limit 120] Ticks=3 by model (model)", "RESYNC v0 epoch 0f1e2d3c4b5a6978 Ticks=0"],
                python.Lines);
        }
        finally
        {
            stubs.Delete(recursive: true);
        }
    }

    private static async Task RunAsync(string interpreter, string[] script)
    {
        await using var server = await ModelTestServer.StartAsync(TimeProvider.System, host: r => r.Add("oven", new Furnace()));
        await using var client = ChildProcess.Start(interpreter, [RepositoryPaths.Combine(script), "--target", new Uri(server.Server.Address).Authority]);
        Assert.True(await client.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, client.StandardError);

        var results = client.Lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Cases, results.Select(r => r.GetProperty("case").GetString()));
        Assert.All(results, r => Assert.True(r.GetProperty("ok").GetBoolean(), $"{r.GetProperty("case")}: {r.GetProperty("detail")}"));
    }
}
