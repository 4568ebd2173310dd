using System.Threading.Channels;

namespace RemoteModel.Web.Live;

/// <summary>
/// Turns "something changed" into redraws of a page at most once an interval (the display rate): a
/// burst of changes is one redraw, none is queued, and the last change is always drawn.
/// </summary>
internal sealed class RedrawPacer(TimeSpan interval, TimeProvider timeProvider)
{
    // One pending request stands for any number: the redraw takes the state as it is then.
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Paces at <paramref name="rateHz"/> redraws a second at most.</summary>
    public RedrawPacer(double rateHz, TimeProvider timeProvider)
        : this(TimeSpan.FromSeconds(1 / rateHz), timeProvider)
    {
    }

    /// <summary>Asks for a redraw; never blocks.</summary>
    public void Request() => _requests.Writer.TryWrite(true);

    /// <summary>Redraws on request, at once when the last redraw was an interval ago or more, until <paramref name="closing"/>.</summary>
    public async Task RunAsync(Func<Task> redraw, CancellationToken closing)
    {
        try
        {
            while (await _requests.Reader.WaitToReadAsync(closing))
            {
                _requests.Reader.TryRead(out _);
                await redraw();
                await Task.Delay(interval, timeProvider, closing);
            }
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
        }
    }
}
