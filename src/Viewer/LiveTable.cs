using System.Threading.Channels;
using RemoteModel.Client;
using RemoteModel.Models.Client;
using RemoteModel.Models.V1;
using Grpc.Core;
using ModelClient = RemoteModel.Models.V1.Model.ModelClient;
using Spectre.Console;

namespace RemoteModel.Viewer;

/// <summary>
/// Shows a model as a table redrawn in place. The stream is read without waiting for the screen:
/// each event updates the state at once, and the table is redrawn at most
/// <c>maxRefreshHz</c> times a second with whatever is latest. The schema is described at each
/// connect for units and order. Ends when the events end (Ctrl+C), leaving the last table on screen.
/// </summary>
internal sealed class LiveTable(IAnsiConsole console, string model, double maxRefreshHz, TimeProvider timeProvider)
{
    private static readonly TimeSpan DescribeTimeout = TimeSpan.FromSeconds(10);

    private readonly ModelTableState _state = new(model);

    public async Task RunAsync(IAsyncEnumerable<FollowEvent> events, CancellationToken cancellationToken)
    {
        // One pending redraw at most: a burst of changes asks for one, and the latest values win.
        var redraw = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var reading = Task.Run(() => ReadAsync(events, redraw.Writer, cancellationToken), CancellationToken.None);
        if (console.Profile.Capabilities.Ansi)
        {
            await console.Live(Render()).StartAsync(async live =>
            {
                await RedrawAsync(redraw.Reader, table =>
                {
                    live.UpdateTarget(table);
                    live.Refresh();
                });
                live.UpdateTarget(Render());
            });
        }
        else
        {
            // No cursor control (output redirected, a dumb terminal): each redraw is written out in turn.
            await RedrawAsync(redraw.Reader, table =>
            {
                console.Write(table);
                console.WriteLine();
            });
        }

        await reading;
    }

    /// <summary>Redraws whenever asked, at most <c>maxRefreshHz</c> times a second, until the events end.</summary>
    private async Task RedrawAsync(ChannelReader<bool> redraw, Action<Spectre.Console.Rendering.IRenderable> show)
    {
        var interval = TimeSpan.FromSeconds(1 / maxRefreshHz);
        while (await redraw.WaitToReadAsync(CancellationToken.None))
        {
            redraw.TryRead(out _);
            show(Render());
            await Task.Delay(interval, timeProvider, CancellationToken.None);
        }
    }

    private async Task ReadAsync(IAsyncEnumerable<FollowEvent> events, ChannelWriter<bool> redraw, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in events.WithCancellation(cancellationToken))
            {
                lock (_state)
                {
                    _state.Apply(e);
                }

                if (e.Kind == FollowEventKind.Connected && e.Endpoint is { } endpoint)
                {
                    _ = DescribeAsync(endpoint, redraw, cancellationToken);
                }

                redraw.TryWrite(true);
            }
        }
        finally
        {
            redraw.TryComplete();
        }
    }

    /// <summary>Units and order from the schema; without them the table still shows every value.</summary>
    private async Task DescribeAsync(string endpoint, ChannelWriter<bool> redraw, CancellationToken cancellationToken)
    {
        try
        {
            using var channel = ClientConnections.CreateChannel(endpoint);
            var description = await new ModelClient(channel).DescribeAsync(_state.Model, new CallOptions(deadline: DateTime.UtcNow + DescribeTimeout, cancellationToken: cancellationToken));
            lock (_state)
            {
                _state.Describe(description);
            }

            redraw.TryWrite(true);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or HttpRequestException)
        {
        }
    }

    private Spectre.Console.Rendering.IRenderable Render()
    {
        lock (_state)
        {
            return ModelTableView.Render(_state, console.Profile.Width);
        }
    }
}
