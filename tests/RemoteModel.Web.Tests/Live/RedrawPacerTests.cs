using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Web.Live;

namespace RemoteModel.Web.Tests.Live;

/// <summary>A page is redrawn at once, then at most once an interval however many changes come, and the last change is drawn.</summary>
public sealed class RedrawPacerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task A_burst_of_requests_during_an_interval_is_one_redraw_after_it_and_none_is_queued()
    {
        var clock = new FakeTimeProvider();
        var pacer = new RedrawPacer(Interval, clock);
        var redraws = Channel.CreateUnbounded<int>();
        var count = 0;
        using var closing = new CancellationTokenSource();
        var running = pacer.RunAsync(() => Task.FromResult(redraws.Writer.TryWrite(++count)), closing.Token);

        pacer.Request();
        Assert.Equal(1, await redraws.Reader.ReadAsync());
        pacer.Request();
        pacer.Request();
        pacer.Request();

        // The fake clock is moved on in steps until the second redraw: it must not come before the interval is out.
        var waited = TimeSpan.Zero;
        int second;
        while (!redraws.Reader.TryRead(out second))
        {
            Assert.True(waited <= 10 * Interval, "the requests during the interval were never drawn");
            clock.Advance(Step);
            waited += Step;
            await Task.Yield();
        }

        Assert.Equal(2, second);
        Assert.True(waited >= Interval, $"redrawn again after {waited.TotalMilliseconds} ms of a {Interval.TotalMilliseconds} ms interval");
        for (var i = 0; i < 30; i++)
        {
            clock.Advance(Step);
            await Task.Yield();
        }

        Assert.False(redraws.Reader.TryRead(out _)); // three requests, one redraw
        await closing.CancelAsync();
        await running;
    }
}
