using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RemoteModel.Models.Runtime;

namespace RemoteModel.Models.Tests;

/// <summary><see cref="StreamScheduler"/>: periodic streams on a fake clock.</summary>
public sealed class StreamSchedulerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly object _gate = new();
    private readonly List<(string Stream, DateTimeOffset At)> _ticks = [];

    private StreamScheduler Schedule(Type modelType) =>
        new("lab/oven", new ModelSchema(modelType).Streams, _gate, _time, s => _ticks.Add((s.Name, _time.GetUtcNow())), NullLogger.Instance);

    [Fact]
    public void A_stream_ticks_at_its_rate_from_when_it_is_enabled_until_it_is_disabled()
    {
        var streams = Schedule(typeof(Oven));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(_ticks); // declared without a rate: off

        var start = _time.GetUtcNow();
        var described = streams.SetRate("temps", 10, "alice");
        Assert.Equal((10.0, true, 50.0), (described.RateHz, described.Enabled, described.MaxRateHz));
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(10, _ticks.Count);
        Assert.Equal(start.AddMilliseconds(100), _ticks[0].At);
        Assert.All(_ticks, t => Assert.Equal("temps", t.Stream));

        streams.SetRate("temps", 2, "alice");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(12, _ticks.Count);

        Assert.False(streams.SetRate("temps", 0, "alice").Enabled);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(12, _ticks.Count);
    }

    [Fact]
    public void A_stream_declared_with_a_rate_ticks_from_the_start()
    {
        Schedule(typeof(Clock));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(4, _ticks.Count(t => t.Stream == "seconds"));
    }

    [Fact]
    public void Stopping_stops_every_stream()
    {
        var streams = Schedule(typeof(Oven));
        streams.SetRate("temps", 50, "alice");
        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Single(_ticks);
        streams.Stop();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(_ticks);
    }

    [Theory]
    [InlineData("temps", -1, ModelErrorReason.InvalidArgument, "stream 'temps': a rate must be 0 (off) or positive, not -1")]
    [InlineData("temps", double.NaN, ModelErrorReason.InvalidArgument, "a rate must be 0 (off) or positive")]
    [InlineData("temps", 51, ModelErrorReason.OutOfRange, "stream 'temps': 51 Hz is above its maximum of 50 Hz")]
    [InlineData("nope", 1, ModelErrorReason.NotFound, "model 'lab/oven' has no periodic stream 'nope'; it has: temps")]
    public void A_rate_that_cannot_be_is_refused_and_changes_nothing(string stream, double rateHz, ModelErrorReason reason, string message)
    {
        var streams = Schedule(typeof(Oven));
        streams.SetRate("temps", 10, "alice");
        var refused = Assert.Throws<ModelException>(() => streams.SetRate(stream, rateHz, "alice"));
        Assert.Equal(reason, refused.Reason);
        Assert.Contains(message, refused.Message);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Single(_ticks);
    }

    [Fact]
    public void A_model_without_streams_says_it_has_none()
    {
        var streams = Schedule(typeof(Stage));
        Assert.Empty(streams.Describe());
        Assert.Equal("model 'lab/oven' has no periodic stream 'temps'; it has: none", Assert.Throws<ModelException>(() => streams.Find("temps")).Message);
    }
}

[PeriodicStream("seconds", nameof(Seconds), RateHz = 4)]
internal sealed class Clock : System.ComponentModel.INotifyPropertyChanged
{
    public event System.ComponentModel.PropertyChangedEventHandler? PropertyChanged;

    public long Seconds => PropertyChanged is null ? 0 : 1;
}
