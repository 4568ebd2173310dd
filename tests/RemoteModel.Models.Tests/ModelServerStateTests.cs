using RemoteModel.Models.Client;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;

namespace RemoteModel.Models.Tests;

/// <summary>
/// Memorized values and the model server executable as a real process: the ticker's Rate is
/// memorized; what a Modify wrote is there after a SIGKILL and a restart, and a store that cannot
/// be read stops the server with a message.
/// </summary>
public sealed class ModelServerStateTests : IAsyncLifetime
{
    private ProcessTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await ProcessTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_memorized_value_survives_a_sigkill_right_after_modify_returns()
    {
        var (server, address) = await _bed.StartTickersAsync("ticker");
        var models = new ModelClient(_bed.Channel(address));
        Assert.True((await models.DescribeAsync("ticker")).Properties.Single(p => p.Name == "Rate").Memorized);

        await models.ModifyAsync("ticker", new Dictionary<string, object?> { ["Rate"] = 42.5, ["Symbol"] = "ACME" });
        server.Signal(Posix.SigKill);
        Assert.NotEqual(0, await server.WaitForExitAsync(ProcessTestBed.StartTimeout));

        var (restarted, again) = await _bed.StartTickersAsync("ticker");
        var state = await new ModelClient(_bed.Channel(again)).QueryAsync("ticker", ["Rate", "Symbol"]);

        Assert.Equal(42.5, state.Values["Rate"].DoubleValue);
        // Symbol is not memorized: back to the ticker's own.
        Assert.Equal("RMDL", state.Values["Symbol"].StringValue);
        Assert.Contains($"ticker: memorized Rate = 42.5 applied from {_bed.StateStore}", restarted.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_stops_the_server_with_what_to_do()
    {
        await File.WriteAllTextAsync(_bed.StateStore, new string('x', 4096));

        await using var server = Executables.Start(Executables.ModelServer,
            ["--model", "ticker=RemoteModel.Examples.Ticker.TickerModel", "--assembly", Executables.TickerAssembly, "--ns", _bed.NameServer,
             $"--Models:StateStore={_bed.StateStore}"]);

        Assert.Equal(1, await server.WaitForExitAsync(ProcessTestBed.StartTimeout));
        Assert.Contains($"Model server failed: The memorized-value store {_bed.StateStore} cannot be read: SQLite Error 26: 'file is not a database'. ", server.StandardError, StringComparison.Ordinal);
        Assert.Contains("move it aside", server.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("LISTENING", server.Lines);
    }
}
