using RemoteModel.Grpc.Client;
using RemoteModel.Models.Client;
using RemoteModel.Naming.Client;
using RemoteModel.Testing;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using NamingClient = RemoteModel.Naming.V1.Naming.NamingClient;

namespace RemoteModel.EndToEnd.Tests;

/// <summary>The README's other commands: the test command CI runs, and the controller's scripts and one-shot evaluation.</summary>
public sealed class ReadmeCommandTests : IAsyncLifetime
{
    private readonly Walkthrough _walkthrough = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _walkthrough.DisposeAsync();

    [Fact]
    public void The_test_command_is_the_one_ci_runs()
    {
        var commands = Readme.Commands("## Quick start");
        Assert.Equal(2, commands.Count);
        Assert.Equal("dotnet test RemoteModel.sln", commands[1]);
        Assert.Contains(File.ReadAllLines(RepositoryPaths.Combine(".ci", "run")), line => line.Trim() == commands[1]);
    }

    [Fact]
    public async Task The_controller_runs_a_script_a_one_shot_evaluation_and_piped_submissions()
    {
        var walkthrough = Readme.Commands("## Walkthrough: five terminals");
        await _walkthrough.StartServerAsync(walkthrough.Single(c => c == "dotnet run --project src/NameServer"));
        await _walkthrough.StartServerAsync(walkthrough.Single(c => c.StartsWith("dotnet run --project src/ModelServer", StringComparison.Ordinal)));
        using var channel = SignedChannel.ForAddress(_walkthrough.NameServer);
        var ticker = await new NamingClient(channel).LookupAsync("ticker", wait: TimeSpan.FromSeconds(30));
        using var modelChannel = SignedChannel.ForAddress(ticker.Endpoints[0]);
        var model = new ModelClient(modelChannel);

        var commands = Readme.Commands("## Controller (C# REPL) and client library");
        Assert.Equal(3, commands.Count);

        var evaluation = await _walkthrough.RunAsync(commands.Single(c => c.Contains(" -e ")));
        Assert.Matches(@"^\{ Price = \d+(\.\d+)? \} @v\d+$", Assert.Single(evaluation.Lines, l => l.Length > 0));

        var script = await _walkthrough.RunAsync(commands.Single(c => c.Contains(".csx")));
        Assert.Contains(script.Lines, l => l.StartsWith("ACME ", StringComparison.Ordinal));
        Assert.Equal("ACME", (await model.QueryAsync("ticker", ["Symbol"])).Values["Symbol"].StringValue);

        await _walkthrough.RunAsync(commands.Single(c => c.StartsWith("echo ", StringComparison.Ordinal)));
        Assert.True((await model.QueryAsync("ticker", ["Paused"])).Values["Paused"].BoolValue);
    }
}
