using Google.Protobuf.WellKnownTypes;
using RemoteModel.Models.Runtime;
using RemoteModel.Models.V1;
using Value = RemoteModel.Models.V1.Value;

namespace RemoteModel.Models.Tests;

/// <summary>Quality from alarm and warning limits, and the quality a model gives a value itself.</summary>
public sealed class AlarmLimitsTests
{
    private static readonly AlarmLimits Oven = new(LowAlarm: 10, LowWarning: 20, HighWarning: 100, HighAlarm: 120, Hysteresis: 0);
    private static readonly Timestamp T0 = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
    private static readonly Timestamp T1 = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 7, 5, 0, 1, TimeSpan.Zero));

    private static Value D(double d) => new() { DoubleValue = d };

    [Theory]
    [InlineData(50, Quality.Valid, "")]
    [InlineData(100, Quality.Valid, "")] // exactly at a limit is not beyond it
    [InlineData(100.5, Quality.Warning, "above high warning limit 100")]
    [InlineData(120, Quality.Warning, "above high warning limit 100")]
    [InlineData(120.25, Quality.Alarm, "above high alarm limit 120")]
    [InlineData(20, Quality.Valid, "")]
    [InlineData(19.5, Quality.Warning, "below low warning limit 20")]
    [InlineData(10, Quality.Warning, "below low warning limit 20")]
    [InlineData(9.75, Quality.Alarm, "below low alarm limit 10")]
    [InlineData(double.PositiveInfinity, Quality.Alarm, "above high alarm limit 120")]
    [InlineData(double.NegativeInfinity, Quality.Alarm, "below low alarm limit 10")]
    public void A_value_strictly_beyond_a_limit_takes_its_quality(double value, Quality quality, string reason)
    {
        var verdict = Oven.Evaluate(D(value), Quality.Valid);

        Assert.Equal(quality, verdict.Quality);
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void Integers_are_measured_and_NaN_is_invalid_while_null_strings_and_a_property_without_limits_are_valid()
    {
        Assert.Equal(Quality.Alarm, Oven.Evaluate(new Value { IntValue = 121 }, Quality.Valid).Quality);
        Assert.Equal(Quality.Valid, Oven.Evaluate(new Value { IntValue = 120 - 20 }, Quality.Valid).Quality);
        var nan = Oven.Evaluate(D(double.NaN), Quality.Valid);
        Assert.Equal(Quality.Invalid, nan.Quality);
        Assert.Contains("not a number", nan.Reason, StringComparison.Ordinal);
        Assert.Equal(Quality.Valid, Oven.Evaluate(new Value(), Quality.Alarm).Quality);
        Assert.Equal(Quality.Valid, Oven.Evaluate(new Value { StringValue = "hot" }, Quality.Valid).Quality);
        Assert.Equal(Quality.Valid, AlarmLimits.None.Evaluate(D(double.NaN), Quality.Valid).Quality);
    }

    [Fact]
    public void Only_the_limits_that_are_set_apply()
    {
        var highOnly = new AlarmLimits(double.NaN, double.NaN, double.NaN, 5, 0);

        Assert.Equal(Quality.Valid, highOnly.Evaluate(D(-1e300), Quality.Valid).Quality);
        Assert.Equal(Quality.Alarm, highOnly.Evaluate(D(5.5), Quality.Valid).Quality);
    }

    [Fact]
    public void With_a_hysteresis_a_quality_eases_only_once_the_value_is_back_inside_by_the_hysteresis()
    {
        var limits = Oven with { Hysteresis = 2 };

        // Raised at once on the way out ...
        Assert.Equal(Quality.Alarm, limits.Evaluate(D(120.5), Quality.Warning).Quality);
        // ... held while within the hysteresis on the way back, with the limit it crossed ...
        var held = limits.Evaluate(D(119), Quality.Alarm);
        Assert.Equal(Quality.Alarm, held.Quality);
        Assert.Equal("above high alarm limit 120", held.Reason);
        // ... exactly the hysteresis inside eases it ...
        Assert.Equal(Quality.Warning, limits.Evaluate(D(118), Quality.Alarm).Quality);
        Assert.Equal(Quality.Warning, limits.Evaluate(D(99), Quality.Warning).Quality);
        Assert.Equal(Quality.Valid, limits.Evaluate(D(98), Quality.Warning).Quality);
        // ... and on the low side likewise; the hysteresis never holds a quality the value did not have.
        Assert.Equal(Quality.Alarm, limits.Evaluate(D(11), Quality.Alarm).Quality);
        Assert.Equal(Quality.Warning, limits.Evaluate(D(12), Quality.Alarm).Quality);
        Assert.Equal(Quality.Warning, limits.Evaluate(D(101), Quality.Valid).Quality);
        Assert.Equal(Quality.Valid, limits.Evaluate(D(50), Quality.Valid).Quality);
        Assert.Equal(Quality.Valid, limits.Evaluate(D(99), Quality.Invalid).Quality);
    }

    [Theory]
    [InlineData(10, 20, 15, 120, 0)]
    [InlineData(30, 20, 100, 120, 0)]
    [InlineData(10, 20, 100, 120, -1)]
    [InlineData(10, 20, 100, 120, double.PositiveInfinity)]
    public void Limits_out_of_order_or_a_bad_hysteresis_are_a_problem(double lowAlarm, double lowWarning, double highWarning, double highAlarm, double hysteresis) =>
        Assert.NotNull(new AlarmLimits(lowAlarm, lowWarning, highWarning, highAlarm, hysteresis).Problem());

    [Fact]
    public void Equal_and_partly_unset_limits_are_no_problem()
    {
        Assert.Null(new AlarmLimits(10, 10, 100, 100, 0).Problem());
        Assert.Null(new AlarmLimits(double.NaN, 20, double.NaN, 10000, 1).Problem());
    }

    [Fact]
    public void A_crossing_is_one_quality_change_with_its_limit_and_the_source_time_moves_only_with_the_value()
    {
        var states = new PropertyStates([new("Temperature", Oven)], T0);

        var first = states.Take("Temperature", D(50), T0, null, out var atStart);
        Assert.Null(atStart);
        Assert.Equal(Quality.Valid, first.Quality);
        Assert.Equal(T0, first.SourceTime);

        var hot = states.Take("Temperature", D(121), T1, null, out var raised);
        Assert.Equal(Quality.Alarm, hot.Quality);
        Assert.NotNull(raised);
        Assert.True(raised.Raised);
        Assert.Equal((Quality.Valid, 120.0), (raised.From, raised.Limit));

        var again = states.Take("Temperature", D(122), T1, null, out var stillRaised);
        Assert.Null(stillRaised);
        Assert.Equal(Quality.Alarm, again.Quality);

        var rewritten = states.Take("Temperature", D(122), Timestamp.FromDateTimeOffset(T1.ToDateTimeOffset().AddSeconds(5)), null, out _);
        Assert.Equal(T1, rewritten.SourceTime);

        states.Take("Temperature", D(50), T1, null, out var cleared);
        Assert.NotNull(cleared);
        Assert.False(cleared.Raised);
        Assert.Equal(Quality.Alarm, cleared.From);
    }

    [Fact]
    public void A_value_already_beyond_a_limit_when_first_taken_is_raised()
    {
        var states = new PropertyStates([new("Temperature", Oven)], T0);

        states.Take("Temperature", D(5), T0, null, out var raised);

        Assert.Equal(Quality.Alarm, raised?.State.Quality);
    }

    [Fact]
    public void A_model_given_INVALID_overrides_the_limits_until_the_model_hands_it_back_and_carries_its_own_source_time()
    {
        var states = new PropertyStates([new("Temperature", Oven)], T0);
        states.Take("Temperature", D(50), T0, null, out _);
        var readAt = new DateTimeOffset(2026, 12, 7, 4, 59, 58, TimeSpan.Zero);

        var lost = states.Take("Temperature", D(50), T1, new PropertyStateChangedEventArgs("Temperature") { Quality = ReportedQuality.Invalid, Reason = "sensor link lost", SourceTime = readAt }, out var change);

        Assert.Equal(Quality.Invalid, lost.Quality);
        Assert.Equal("sensor link lost", lost.Reason);
        Assert.Equal(Timestamp.FromDateTimeOffset(readAt), lost.SourceTime);
        Assert.Equal(Quality.Invalid, change?.State.Quality);
        Assert.True(double.IsNaN(change!.Limit));

        // A plain change of the value while the link is down leaves the model's quality.
        Assert.Equal(Quality.Invalid, states.Take("Temperature", D(130), T1, null, out var none).Quality);
        Assert.Null(none);
        Assert.Equal(Quality.Invalid, states.Peek("Temperature", D(130)).Quality);

        // Handed back to the limits: 130 is an alarm now.
        var back = states.Take("Temperature", D(130), T1, new PropertyStateChangedEventArgs("Temperature"), out var toAlarm);
        Assert.Equal(Quality.Alarm, back.Quality);
        Assert.Equal((Quality.Invalid, Quality.Alarm), (toAlarm?.From, toAlarm?.State.Quality));
    }

    [Fact]
    public void Peek_says_what_a_value_read_now_would_be_and_changes_nothing()
    {
        var states = new PropertyStates([new("Temperature", Oven)], T0);
        states.Take("Temperature", D(50), T0, null, out _);

        Assert.Equal(Quality.Alarm, states.Peek("Temperature", D(200)).Quality);
        Assert.Equal(T0, states.Peek("Temperature", D(200)).SourceTime);

        states.Take("Temperature", D(200), T1, null, out var raised);
        Assert.NotNull(raised);
    }
}
